import { willOf } from '../aedes/connection.ts'
import type { SessionStats, SessionStore } from '../store/types.ts'
import { listSessions } from './list.ts'
import { liveSubscriptions, type OnlineSessions } from './online.ts'
import { queuePage } from './queue-view.ts'
import type { SessionRegistry } from './registry.ts'
import type {
  PageQuery,
  QueuePage,
  SessionChange,
  SessionEvent,
  SessionListQuery,
  SessionPage,
  Sessions,
  SessionTotals,
  SessionView,
} from './types.ts'
import { endedView, viewOf } from './views.ts'

/** Closes a session's connection on another node of the cluster; false if it was not connected. */
export type RemoteDisconnect = (clientId: string, node: string) => Promise<boolean>

export interface InspectorDeps {
  store: SessionStore
  registry: SessionRegistry
  /** Where online state comes from: the registry, or the cluster's directory. */
  online: OnlineSessions
  /** Set in a cluster: how to close a connection another node holds. */
  remoteDisconnect?: RemoteDisconnect
  startup: { expired: number }
  /** `--session-expiry`: seconds an offline 3.1.1 persistent session is kept (0: for ever). */
  legacyExpiry?: number
}

/**
 * The inspector: answers about every session from the store, the registry
 * and the online directory, and carries out the operator's disconnect and
 * delete.
 */
export class Inspector implements Sessions {
  readonly #store: SessionStore
  readonly #registry: SessionRegistry
  readonly #online: OnlineSessions
  readonly #remoteDisconnect: RemoteDisconnect | undefined
  readonly #startup: { expired: number }
  readonly #legacyExpiry: number

  constructor(deps: InspectorDeps) {
    this.#store = deps.store
    this.#registry = deps.registry
    this.#online = deps.online
    this.#remoteDisconnect = deps.remoteDisconnect
    this.#startup = deps.startup
    this.#legacyExpiry = deps.legacyExpiry ?? 0
  }

  get expiredAtStartup(): number {
    return this.#startup.expired
  }

  list(query: SessionListQuery): Promise<SessionPage> {
    return listSessions(query, this.#store, this.#online, this.#registry)
  }

  async get(clientId: string): Promise<SessionView | null> {
    const store = this.#store
    const live = (await this.#online.find([clientId])).get(clientId) ?? null
    const record = live?.clean ? undefined : await store.getSession(clientId)
    if (!live && !record) {
      const ended = this.#registry.ended(clientId)
      if (ended) return endedView(ended)
      this.#registry.forget(clientId)
      return null
    }
    const ref = { id: clientId }
    const connection = live?.connection
    const [stats, will, subscriptions] = await Promise.all([
      store.sessionStats([clientId]),
      connection ? willOf(connection.client) : store.getWill(ref),
      connection
        ? liveSubscriptions(connection)
        : live?.clean
          ? live.subscriptions
          : store.subscriptionsByClient(ref),
    ])
    const parts = {
      clientId,
      live,
      record,
      stats: stats.get(clientId) as SessionStats,
      counters: this.#registry.counters(clientId),
      now: this.#registry.now(),
      legacyExpiry: this.#legacyExpiry,
    }
    return viewOf(parts, {
      will: will ?? null,
      subscriptions,
      history: this.#registry.history(clientId),
    })
  }

  /** A page of the session's queue, queued and in-flight entries; null when there is no session. */
  queue(clientId: string, query: PageQuery): Promise<QueuePage | null> {
    return queuePage(
      { store: this.#store, online: this.#online, now: this.#registry.now() },
      clientId,
      query,
    )
  }

  /**
   * Closes the connection as a network failure would: no DISCONNECT, so
   * the Will is published [MQTT-3.1.2-8]. Resolves once aedes has
   * unregistered it; the history says 'admin'.
   */
  async disconnect(clientId: string): Promise<boolean> {
    const connection = this.#registry.online(clientId)
    if (!connection) {
      if (!this.#remoteDisconnect) return false
      const live = (await this.#online.find([clientId])).get(clientId)
      return live?.node ? this.#remoteDisconnect(clientId, live.node) : false
    }
    connection.reason ??= 'admin'
    const closed = this.#registry.closed(connection)
    connection.client.close()
    await closed
    return true
  }

  /**
   * Disconnects the client if it is online, then discards its session
   * (subscriptions, queue, in-flight and incoming state, record) and its
   * stored Will. Listeners get a 'deleted' event; the session is gone. An
   * ended clean session is no longer shown.
   */
  async delete(clientId: string): Promise<boolean> {
    const wasOnline = await this.disconnect(clientId)
    // a clean session ended before, or by the disconnect just now
    const wasEnded = this.#registry.dropEnded(clientId)
    const existed = wasOnline || wasEnded || (await this.#store.getSession(clientId)) !== undefined
    if (!existed) return false
    await this.#store.discardSession(clientId)
    await this.#store.delWill({ id: clientId })
    this.#registry.record(clientId, { type: 'deleted', at: this.#registry.now(), by: 'admin' })
    this.#registry.forget(clientId)
    return true
  }

  /**
   * Session counts with queued and in-flight totals, from the store's
   * counters (no walk of the sessions); null when the store keeps none.
   */
  async quickTotals(): Promise<SessionTotals | null> {
    if (!this.#store.queueTotals) return null
    const [{ counts }, fast] = await Promise.all([
      this.list({ limit: 1 }),
      this.#store.queueTotals(),
    ])
    // a clean session's in-flight messages are only in its connection
    let cleanInflight = 0
    for (const connection of this.#registry.onlineConnections()) {
      if (connection.clean) cleanInflight += connection.inflight.size
    }
    return { ...counts, queued: fast.queued, inflight: fast.inflight + cleanInflight }
  }

  onChange(listener: (change: SessionChange) => void): () => void {
    return this.#registry.onChange(listener)
  }

  record(clientId: string, event: SessionEvent): void {
    this.#registry.record(clientId, event)
  }
}
