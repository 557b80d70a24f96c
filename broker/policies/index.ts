import type { Client, Deliver, DeliveryPacket } from '../aedes/connection.ts'
import type { ConnectStage } from '../aedes/stages.ts'
import type { Config } from '../config.ts'
import type { SessionEventSink } from '../inspector/types.ts'
import type { PersistencePolicy } from '../rules/persistence.ts'
import type { ResumeWindow } from '../rules/resume.ts'
import { payloadBytes } from '../store/queue-tally.ts'
import type { ClientRef, SessionStore } from '../store/types.ts'
import { type DropReason, PolicyCounters } from './counters.ts'
import { DropReporter } from './drops.ts'
import { InflightWindow } from './inflight.ts'
import { QueueCaps, queueLimits } from './queue-caps.ts'

export type PolicyConfig = Pick<
  Config,
  'queueMaxMessages' | 'queueMaxBytes' | 'queueDropPolicy' | 'queueQos0' | 'maxInflight'
>

export interface PolicyOptions {
  config: PolicyConfig
  store: SessionStore
  /** Where each drop is told as a `dropped` session event; a no-op until the inspector is set. */
  sink?: SessionEventSink
  now?: () => number
}

/** The session policies of one broker: queue caps, QoS 0 queueing, the in-flight window. */
export interface Policies {
  readonly counters: PolicyCounters
  /** Where each drop is told as a `dropped` session event (the inspector). */
  sink: SessionEventSink
  /** What `SessionPersistence` applies. */
  readonly persistence: PersistencePolicy
  /** What the aedes hooks attach to each connection. */
  readonly connections: ConnectionPolicies
  /** A connected client's window, null when it has none (not connected, or `--max-inflight 0`). */
  inflightOf(clientId: string): { inflight: number; waiting: number } | null
}

/** What the session policies attach to each connection. */
export interface ConnectionPolicies {
  /** Wraps the connection's QoS 1/2 delivery (see rules/delivery.ts). */
  wrapQoS(client: Client, deliver: Deliver): Deliver
  /** A live message over the MQTT 5 client's Maximum Packet Size, not sent: dropped as if delivered. */
  tooLarge(client: Client, packet: DeliveryPacket): void
  /** The CONNECT stage: once accepted, until the connection ends, its session counts as connected. */
  stage: ConnectStage
}

const noSink: SessionEventSink = { record: () => {} }

export function createPolicies(options: PolicyOptions): Policies {
  const { config, store } = options
  const counters = new PolicyCounters()
  const reporter = new DropReporter({
    counters,
    sink: options.sink ?? noSink,
    now: options.now ?? Date.now,
  })
  const limits = queueLimits(config)
  const connections = new OpenConnections()
  const caps = new QueueCaps({
    limits,
    store,
    reporter,
    counters,
    connected: (clientId) => connections.has(clientId),
  })
  const windows = new WeakMap<ClientRef, InflightWindow>()

  /** Drops a message for a connection: reported, and a persistent session's stored copy goes too. */
  const drop = (dropping: Client, packet: DeliveryPacket, bytes: number, why: DropReason) => {
    // A persistent session's stored copy goes too, or a resume would send it.
    if (packet.brokerId && !dropping.clean) {
      const { brokerId, brokerCounter } = packet
      // Should the write fail, a resume sends the message after all: nothing is lost.
      store.outgoingClearMessageId(dropping, { brokerId, brokerCounter }).catch(() => {})
    }
    reporter.report([{ clientId: dropping.id, topic: packet.topic, bytes, why }])
  }

  const wrapQoS = (client: Client, deliver: Deliver, receiveMaximum?: number): Deliver => {
    const maxInflight = windowSize(config.maxInflight, receiveMaximum)
    if (maxInflight === 0) return deliver
    const window = new InflightWindow(client, deliver, {
      maxInflight,
      limits,
      onDrop: drop,
    })
    windows.set(client, window)
    onClose(client.conn, () => window.close())
    return window.deliver
  }

  return {
    counters,
    get sink() {
      return reporter.sink
    },
    set sink(sink: SessionEventSink) {
      reporter.sink = sink
    },
    persistence: {
      enqueue: (clients, packet) => caps.enqueue(clients, packet),
      queuesQos0: config.queueQos0,
      connected: (clientId) => connections.has(clientId),
      windowOf: (client): ResumeWindow | undefined => windows.get(client),
      now: options.now ?? Date.now,
      dropped(clientId, packets, why) {
        reporter.report(
          packets.map((p) => ({ clientId, topic: p.topic, bytes: payloadBytes(p.payload), why })),
        )
      },
    },
    connections: {
      wrapQoS,
      tooLarge: (client, packet) => drop(client, packet, payloadBytes(packet.payload), 'too-large'),
      stage: {
        accept(client) {
          connections.open(client, windows.get(client))
        },
      },
    },
    inflightOf(clientId) {
      const window = connections.windowOf(clientId)
      return window ? { inflight: window.inflight, waiting: window.waiting } : null
    },
  }
}

/**
 * A connection's in-flight window: `--max-inflight`, or an MQTT 5 client's
 * Receive Maximum where that is smaller, so that no more QoS 1/2 PUBLISHes
 * than it asked for await its acknowledgement [MQTT-3.3.4-9]; 0 for none
 * (neither bounds it).
 */
export function windowSize(maxInflight: number, receiveMaximum: number | undefined): number {
  if (receiveMaximum === undefined || receiveMaximum <= 0) return maxInflight
  return maxInflight === 0 ? receiveMaximum : Math.min(maxInflight, receiveMaximum)
}

/**
 * The ClientIDs with an open connection, from the moment the CONNECT is
 * accepted (before aedes restores its subscriptions and registers it, so no
 * live delivery can race an offline-queue drop) until the connection ends.
 * A takeover briefly holds two.
 */
class OpenConnections {
  readonly #open = new Map<string, { count: number; window?: InflightWindow }>()

  has(clientId: string): boolean {
    return this.#open.has(clientId)
  }

  windowOf(clientId: string): InflightWindow | undefined {
    return this.#open.get(clientId)?.window
  }

  open(client: Client, window: InflightWindow | undefined): void {
    const clientId = client.id
    const entry = this.#open.get(clientId)
    if (entry) {
      entry.count++
      entry.window = window
    } else this.#open.set(clientId, { count: 1, window })
    onClose(client.conn, () => {
      const current = this.#open.get(clientId)
      if (!current) return
      if (--current.count === 0) this.#open.delete(clientId)
      else if (current.window === window) current.window = undefined
    })
  }
}

/**
 * Runs `then` once the connection has closed, now if it already has. 'close'
 * comes after 'end' and 'error' alike; `stream.finished` would also build an
 * ERR_STREAM_PREMATURE_CLOSE error, stack and all, for every connection that
 * closes without 'end', which is most of them.
 */
function onClose(conn: NodeJS.EventEmitter & { closed?: boolean }, then: () => void): void {
  if (conn.closed) then()
  else conn.once('close', then)
}
