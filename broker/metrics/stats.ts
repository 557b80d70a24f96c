import type { Aedes } from 'aedes'
import { grantedSubscriptions } from '../aedes/connection.ts'
import { liveConnections } from '../aedes/instance.ts'
import type { SessionChange, SessionInspector, SessionTotals } from '../inspector/types.ts'
import type { BackpressureCounts } from '../policies/backpressure.ts'
import type { SessionStore } from '../store/types.ts'
import { sessionTotals } from './session-totals.ts'
import { countTraffic, type QosCounts, type SentCounts } from './traffic.ts'

export type DropReason = 'queue-full' | 'queue-bytes' | 'expired' | 'too-large'

/**
 * The broker's counts, read by `/metrics`, `/healthz` and the `$SYS` topics
 * alike, so the three never disagree about what they count.
 */
export interface BrokerStats {
  /** Whole seconds since the broker started. */
  uptimeSeconds(): number
  /** Open MQTT connections that completed CONNECT. */
  connections(): number
  readonly received: Readonly<QosCounts>
  readonly sent: Readonly<QosCounts>
  /** Messages a full queue dropped, by reason, since start. */
  readonly dropped: Readonly<Record<DropReason, number>>
  /** Sessions expired since start. */
  expired(): number
  droppedTotal(): number
  /** Session counts, queued and in-flight totals, read from the inspector now. */
  sessions(): Promise<SessionTotals>
  /** What the password file, ACL and limits refused since start (broker/auth/). */
  readonly refused: Readonly<RefusalCounts>
  /** MQTT bytes written to and read from clients since start. */
  bytesSent(): number
  bytesReceived(): number
  /** Connections accepted since start. */
  connectionsAccepted(): number
  /** Times publishers were held back, and readers found stopped (broker/policies/backpressure.ts). */
  readonly backpressure: Readonly<BackpressureCounts>
  /** Subscriptions held: every persistent session's, online or offline, and the live clean ones'. */
  subscriptions(): Promise<number>
  /** Retained messages held, the broker's own `$SYS/` ones included (as Mosquitto counts them). */
  retained(): Promise<number>
  close(): void
}

/** Refusals counted by broker/auth/ (its AuthCounts). */
export interface RefusalCounts {
  deniedPublishes: number
  deniedSubscriptions: number
  refusedConnects: number
}

export interface StatsDeps {
  aedes: Aedes
  /** What the connections' writers count as they send (broker/aedes/writer.ts). */
  sent: SentCounts
  /** Where broker/auth/ counts what it refuses; zeros when not given. */
  refused?: Readonly<RefusalCounts>
  /**
   * Created before the inspector's start-up expiry check runs, so that the
   * sessions it expires reach this counter as events too.
   */
  inspector: SessionInspector
  /** Where persistent sessions' subscriptions and the clients' retained messages are counted. */
  store: Pick<SessionStore, 'countSubscriptions' | 'countRetained'>
  /** The retained `$SYS/` messages, kept beside the store (broker/rules/sys-retained.ts). */
  sysRetained: { readonly count: number }
  /** Where backpressure counts its pauses and stalled readers; zeros when not given. */
  backpressure?: Readonly<BackpressureCounts>
  /** ms since the epoch; injectable for tests. */
  now?: () => number
}

/** Starts counting; `close()` stops listening to aedes and the inspector. */
export function createBrokerStats({
  aedes,
  sent,
  inspector,
  store,
  sysRetained,
  refused = { deniedPublishes: 0, deniedSubscriptions: 0, refusedConnects: 0 },
  backpressure = { pauses: 0, stalls: 0 },
  now = Date.now,
}: StatsDeps): BrokerStats {
  const startedAt = now()
  const traffic = countTraffic(aedes, sent)
  const dropped: Record<DropReason, number> = {
    'queue-full': 0,
    'queue-bytes': 0,
    expired: 0,
    'too-large': 0,
  }
  let expired = 0
  const unsubscribe = inspector.onChange(({ event }: SessionChange) => {
    if (event.type === 'dropped') dropped[event.why]++
    else if (event.type === 'expired') expired++
  })
  return {
    uptimeSeconds: () => Math.floor((now() - startedAt) / 1000),
    connections: () => aedes.connectedClients,
    received: traffic.received,
    sent: traffic.sent,
    dropped,
    expired: () => expired,
    droppedTotal: () => Object.values(dropped).reduce((sum, n) => sum + n, 0),
    sessions: sessionTotals(inspector),
    refused,
    bytesSent: () => sent.bytes,
    bytesReceived: () => sent.bytesReceived,
    connectionsAccepted: traffic.connectionsAccepted,
    backpressure,
    subscriptions: async () => (await store.countSubscriptions()) + liveCleanSubscriptions(aedes),
    retained: async () => (await store.countRetained()) + sysRetained.count,
    close() {
      traffic.stop()
      unsubscribe()
    },
  }
}

/**
 * The subscriptions of this node's clean sessions, which no store holds: one
 * pass over the live connections (persistent ones' are the store's to count).
 */
function liveCleanSubscriptions(aedes: Aedes): number {
  let count = 0
  for (const client of liveConnections(aedes)) {
    if (client.clean) count += Object.keys(grantedSubscriptions(client)).length
  }
  return count
}
