import type { Clock } from '../clock.ts'
import { SESSION_NEVER_EXPIRES, type SessionStore } from '../store/types.ts'
import {
  type Connection,
  disconnectReason,
  serverDisconnectOf,
  sessionExpiryOf,
} from './connection.ts'
import { type EndedSession, EndedSessions, endedOf } from './ended.ts'
import { History } from './history.ts'
import { Listeners } from './listeners.ts'
import type { ConnectRefused, SessionChange, SessionEvent } from './types.ts'

/** What the registry holds per ClientID beside the store. */
interface Entry {
  readonly history: History
  /** The registered connection, null while offline. */
  connection: Connection | null
  /** Counters of a clean session; a persistent session's are in the store. */
  dropped: number
  takeovers: number
}

/** Where a cluster node tells the others which sessions it holds online. */
export interface PresenceWriter {
  connected(connection: Connection): void
  disconnected(connection: Connection): void
  /** A clean session's subscriptions changed (a persistent one's are in the store). */
  subscriptionsChanged(connection: Connection): void
}

export interface RegistryDeps {
  store: SessionStore
  clock: Clock
  historySize: number
  /** How many ended clean sessions stay visible, and for how long (`--ended-sessions`, `--ended-session-ttl`). */
  ended: { max: number; ttlMs: number }
  warn: (message: string) => void
  /** In a cluster: this node's broker id, recorded with each persistent session it holds. */
  node?: string
  presence?: PresenceWriter
  /** An MQTT 5 session went offline and ends at `end` (ms since the epoch) unless resumed. */
  ends?: (end: number) => void
}

/**
 * The in-memory half of the session model, keyed by ClientID: which
 * sessions are online and through which connection, each session's bounded
 * history, the counters of clean sessions (which exist only while
 * connected), and the listeners of session changes. Persistent sessions'
 * records live in the store; the registry writes their connect, disconnect
 * and counter changes there. A clean session that ended is kept a while
 * among the ended ones, with its history and why it ended.
 */
export class SessionRegistry {
  readonly #deps: RegistryDeps
  readonly #entries = new Map<string, Entry>()
  readonly #online = new Map<string, Connection>()
  readonly #ended: EndedSessions
  readonly #listeners: Listeners<SessionChange>
  readonly #refusalListeners: Listeners<ConnectRefused>
  readonly #closeWaiters = new Map<Connection, (() => void)[]>()

  constructor(deps: RegistryDeps) {
    this.#deps = deps
    this.#listeners = new Listeners(deps.warn)
    this.#refusalListeners = new Listeners(deps.warn)
    this.#ended = new EndedSessions({ ...deps.ended, now: () => deps.clock.now() })
  }

  now(): number {
    return this.#deps.clock.now()
  }

  /** Adds an event to the session's history and tells every listener. */
  record(clientId: string, event: SessionEvent): void {
    const entry = this.#entry(clientId)
    entry.history.push(event)
    if (event.type === 'dropped') this.#count(clientId, entry, 'dropped')
    if ((event.type === 'subscribe' || event.type === 'unsubscribe') && entry.connection?.clean) {
      this.#deps.presence?.subscriptionsChanged(entry.connection)
    }
    this.#listeners.tell({ clientId, event })
  }

  onChange(listener: (change: SessionChange) => void): () => void {
    return this.#listeners.add(listener)
  }

  /** aedes answered a CONNECT with a refusing CONNACK. No session came of it: only listeners hear it. */
  refused(refused: ConnectRefused): void {
    this.#refusalListeners.tell(refused)
  }

  onRefused(listener: (refused: ConnectRefused) => void): () => void {
    return this.#refusalListeners.add(listener)
  }

  /** aedes registered the connection under its ClientID: the session is online. */
  connected(connection: Connection): void {
    const clientId = connection.client.id
    const at = this.now()
    connection.connectedAt = at
    connection.lastActivity = at
    // a new session under the ClientID of an ended one: that one is history
    this.#ended.delete(clientId)
    this.#entry(clientId).connection = connection
    this.#online.set(clientId, connection)
    this.#deps.presence?.connected(connection)
    if (!connection.clean) {
      this.#write(
        this.#deps.store.touchSession(clientId, {
          protocolVersion: connection.protocolVersion,
          keepalive: connection.keepalive,
          username: connection.username,
          remoteAddress: connection.remoteAddress,
          connectedAt: at,
          lastActivity: at,
          disconnectedAt: null,
          sessionExpiry: sessionExpiryOf(connection),
          ...(this.#deps.node === undefined ? {} : { node: this.#deps.node }),
        }),
      )
    }
  }

  /** aedes unregistered the connection: the session is offline, or gone if it was clean. */
  disconnected(connection: Connection): void {
    const clientId = connection.client.id
    const entry = this.#entries.get(clientId)
    const reason = disconnectReason(connection)
    const at = this.now()
    if (this.#online.get(clientId) === connection) this.#online.delete(clientId)
    if (entry?.connection === connection) entry.connection = null
    // MQTT 5: a DISCONNECT may have ended the session with the connection [MQTT-3.14.2-2]
    const sessionExpiry = sessionExpiryOf(connection)
    if (sessionExpiry === 0) connection.clean = true
    this.#deps.presence?.disconnected(connection)
    const serverDisconnect = serverDisconnectOf(connection)
    this.record(clientId, {
      type: 'disconnect',
      at,
      reason,
      ...(reason === 'takeover' && connection.takenOverBy !== null
        ? { takenOverBy: connection.takenOverBy }
        : {}),
      ...(serverDisconnect ? { serverDisconnect } : {}),
    })
    if (!connection.clean && !this.#heldElsewhere(connection)) {
      this.#write(
        this.#deps.store.touchSession(clientId, {
          disconnectedAt: at,
          lastActivity: connection.lastActivity ?? at,
          sessionExpiry,
          ...(this.#deps.node === undefined ? {} : { node: null }),
        }),
      )
      if (sessionExpiry !== null && sessionExpiry < SESSION_NEVER_EXPIRES) {
        this.#deps.ends?.(at + sessionExpiry * 1000)
      }
    } else if (reason !== 'takeover' && !this.#online.has(clientId)) {
      // [MQTT-3.1.2-6]: a clean session ends with its connection (after a
      // takeover the next connection carries the ClientID on). What it was
      // stays visible among the ended sessions.
      this.#entries.delete(clientId)
      if (entry) this.#ended.add(endedOf(connection, entry, at, reason, serverDisconnect))
    }
    for (const resolve of this.#closeWaiters.get(connection) ?? []) resolve()
    this.#closeWaiters.delete(connection)
  }

  /** [MQTT-3.1.4-2]: `next` takes the ClientID of `old`, which aedes closes next. */
  takenOver(
    old: Connection | undefined,
    next: { clean: boolean; remoteAddress?: string | null },
    clientId: string,
  ): void {
    if (old) {
      old.reason ??= 'takeover'
      old.takenOverBy = next.remoteAddress ?? null
    }
    const entry = this.#entry(clientId)
    // A clean connection discards the persistent session it takes over [MQTT-3.1.2-6].
    if (next.clean) entry.takeovers++
    else this.#write(this.#deps.store.addToSession(clientId, { takeovers: 1 }))
  }

  /**
   * A connection taken over by another node: the session record now
   * belongs to the new connection, which must not read as disconnected.
   */
  #heldElsewhere(connection: Connection): boolean {
    return (
      this.#deps.node !== undefined &&
      connection.reason === 'takeover' &&
      !this.#online.has(connection.client.id)
    )
  }

  /** Resolves once aedes has unregistered the connection. */
  closed(connection: Connection): Promise<void> {
    if (this.#online.get(connection.client.id) !== connection) return Promise.resolve()
    return new Promise((resolve) => {
      const waiters = this.#closeWaiters.get(connection) ?? []
      waiters.push(resolve)
      this.#closeWaiters.set(connection, waiters)
    })
  }

  /** The online connection of a ClientID. */
  online(clientId: string): Connection | undefined {
    return this.#online.get(clientId)
  }

  /** Every online connection. */
  onlineConnections(): IterableIterator<Connection> {
    return this.#online.values()
  }

  history(clientId: string): SessionEvent[] {
    return this.#entries.get(clientId)?.history.toArray() ?? []
  }

  /** Counters of a clean session. */
  counters(clientId: string): { dropped: number; takeovers: number } {
    const entry = this.#entries.get(clientId)
    return { dropped: entry?.dropped ?? 0, takeovers: entry?.takeovers ?? 0 }
  }

  /** Drops what is held for an offline ClientID (its session was deleted or expired). */
  forget(clientId: string): void {
    if (!this.#online.has(clientId)) this.#entries.delete(clientId)
  }

  /** The ended clean session of a ClientID, while it is kept. */
  ended(clientId: string): EndedSession | undefined {
    return this.#ended.get(clientId)
  }

  /** Ended clean sessions with the prefix after `after` (ClientID order), at most `limit`. */
  endedSessions(prefix: string, after: string | undefined, limit: number): EndedSession[] {
    return this.#ended.list(prefix, after, limit)
  }

  /** An operator deleted the ended session: it is no longer shown. false if none was kept. */
  dropEnded(clientId: string): boolean {
    return this.#ended.delete(clientId)
  }

  #entry(clientId: string): Entry {
    let entry = this.#entries.get(clientId)
    if (!entry) {
      entry = {
        history: new History(this.#deps.historySize),
        connection: null,
        dropped: 0,
        takeovers: 0,
      }
      this.#entries.set(clientId, entry)
    }
    return entry
  }

  #count(clientId: string, entry: Entry, counter: 'dropped'): void {
    if (entry.connection?.clean) entry[counter]++
    else this.#write(this.#deps.store.addToSession(clientId, { [counter]: 1 }))
  }

  /** Store writes the registry issues commit with the store's next batch; nothing waits. */
  #write(write: Promise<unknown>): void {
    write.catch((err: Error) => this.#deps.warn(`session record not written: ${err.message}`))
  }
}
