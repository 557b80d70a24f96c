import type { Client } from '../aedes/connection.ts'
import type { Aedes } from '../aedes/instance.ts'
import type { ConnectStage, ForwardStage, PublishStage } from '../aedes/stages.ts'
import { type Clock, systemClock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { SessionStore } from '../store/types.ts'
import { AedesFeed, type PublishedWill } from './aedes-feed.ts'
import { SessionExpiry } from './expiry.ts'
import { Inspector, type RemoteDisconnect } from './inspector.ts'
import { localOnline, type OnlineSessions } from './online.ts'
import { type PresenceWriter, SessionRegistry } from './registry.ts'
import type { ConnectRefused, Sessions } from './types.ts'

/** What a cluster node adds to the inspector: online state and session records shared with the other nodes. */
export interface ClusterSessions {
  /** This node's broker id. */
  readonly node: string
  /** The cluster-wide online directory, over this node's registry. */
  attach(registry: SessionRegistry): {
    online: OnlineSessions
    presence: PresenceWriter
    remoteDisconnect: RemoteDisconnect
  }
  /** At start-up: marks offline the sessions this node's previous run left connected. */
  closeOpenSessions(at: number): Promise<number>
}

export interface SessionTrackingDeps {
  store: SessionStore
  config: Pick<Config, 'historySize' | 'sessionExpiry' | 'endedSessions' | 'endedSessionTtl'>
  clock?: Clock
  warn: (message: string) => void
  /** Set in cluster mode. */
  cluster?: ClusterSessions
  /** The Will of a session that ends: a delayed one is published (broker/rules/will-delay.ts). */
  endWill?: (clientId: string) => Promise<void>
}

/**
 * Wires the inspector into a broker: `hooks` and `attach` feed it from
 * aedes, `onTakeover` and `onSlowConsumer` from the session hooks, `start`
 * runs the start-up expiry check (after the store is set up, before
 * clients connect), `shuttingDown` belongs to the broker's close.
 */
export class SessionTracking {
  readonly sessions: Sessions
  readonly #registry: SessionRegistry
  readonly #feed: AedesFeed
  readonly #expiry: SessionExpiry
  readonly #store: SessionStore
  readonly #clock: Clock
  readonly #warn: (message: string) => void
  readonly #startup = { expired: 0 }
  readonly #cluster: ClusterSessions | undefined

  constructor(deps: SessionTrackingDeps) {
    const clock = deps.clock ?? systemClock
    this.#store = deps.store
    this.#clock = clock
    this.#warn = deps.warn
    let presence: PresenceWriter | undefined
    this.#registry = new SessionRegistry({
      store: deps.store,
      clock,
      historySize: deps.config.historySize,
      ended: { max: deps.config.endedSessions, ttlMs: deps.config.endedSessionTtl * 1000 },
      warn: deps.warn,
      node: deps.cluster?.node,
      ends: (end) => this.#expiry.sessionEnds(end),
      presence: {
        connected: (c) => presence?.connected(c),
        disconnected: (c) => presence?.disconnected(c),
        subscriptionsChanged: (c) => presence?.subscriptionsChanged(c),
      },
    })
    const cluster = deps.cluster?.attach(this.#registry)
    presence = cluster?.presence
    this.#cluster = deps.cluster
    this.#feed = new AedesFeed(this.#registry)
    this.#expiry = new SessionExpiry({
      store: deps.store,
      registry: this.#registry,
      clock,
      expirySeconds: deps.config.sessionExpiry,
      endWill: deps.endWill,
      cluster: deps.cluster !== undefined,
    })
    this.sessions = new Inspector({
      store: deps.store,
      registry: this.#registry,
      online: cluster?.online ?? localOnline(this.#registry),
      remoteDisconnect: cluster?.remoteDisconnect,
      startup: this.#startup,
      legacyExpiry: deps.config.sessionExpiry,
    })
  }

  /** The first CONNECT stage: the inspector records each CONNECT. */
  get connectStage(): ConnectStage {
    return this.#feed.connectStage
  }

  /** The last forward stage: the inspector sees what is written to each client. */
  get forwardStage(): ForwardStage {
    return this.#feed.forwardStage
  }

  /** A publish stage after the ACL's: the Wills aedes publishes go in their session's history. */
  get willStage(): PublishStage {
    return this.#feed.willStage
  }

  /** The broker published `client`'s Will itself (as it shuts down). */
  willPublished(client: Client, will: PublishedWill): void {
    this.#feed.willPublished(client, will)
  }

  /** Subscribes to refused CONNECTs, which no session records; returns the unsubscribe function. */
  onRefused(listener: (refused: ConnectRefused) => void): () => void {
    return this.#registry.onRefused(listener)
  }

  attach(aedes: Aedes): void {
    this.#feed.attach(aedes)
  }

  /** From the takeover hook: `next` takes `old`'s ClientID [MQTT-3.1.4-2]. */
  onTakeover(old: Client, next: Client): void {
    const connection = this.#feed.connectionOf(old)
    const remoteAddress = this.#feed.connectionOf(next)?.remoteAddress ?? null
    this.#registry.takenOver(connection, { clean: next.clean, remoteAddress }, next.id)
  }

  /** Another cluster node took this connection's ClientID; it counts the takeover. */
  onTakenOverElsewhere(old: Client): void {
    this.#feed.markClosing(old, 'takeover')
  }

  onSlowConsumer(client: Client): void {
    this.#feed.markClosing(client, 'slow-consumer')
  }

  /**
   * Sessions a previous run left recorded as connected went offline when it
   * ended; expired sessions go before any client can resume one. Then
   * expiry is checked periodically, and at each MQTT 5 session's end.
   */
  async start(): Promise<void> {
    const at = this.#clock.now()
    // in a cluster, sessions connected to the other nodes stay connected
    await (this.#cluster ? this.#cluster.closeOpenSessions(at) : this.#store.closeOpenSessions(at))
    this.#startup.expired = await this.#expiry.check()
    this.#expiry.start((err) => this.#warn(`session expiry check failed: ${err.message}`))
  }

  /**
   * Every connection closed from now on closes because the broker stops.
   * Resolves once an expiry check that was running has ended (before the
   * store closes under it).
   */
  shuttingDown(): Promise<void> {
    const swept = this.#expiry.stop()
    for (const connection of this.#registry.onlineConnections()) connection.reason ??= 'shutdown'
    return swept
  }
}
