import { compareClientIds } from '../store/client-id-order.ts'
import type { Connection } from './connection.ts'
import type { History } from './history.ts'
import type { DisconnectReason, ServerDisconnect } from './types.ts'

/**
 * What the inspector keeps of a clean session after it ended: the broker
 * holds nothing for it any more [MQTT-3.1.2-6], but how it lived and why it
 * went stay visible a while.
 */
export interface EndedSession {
  readonly clientId: string
  /** When it ended, ms since the epoch. */
  readonly at: number
  readonly reason: DisconnectReason
  /** MQTT 5: the DISCONNECT the server sent saying why, if it sent one. */
  readonly serverDisconnect?: ServerDisconnect
  readonly protocolVersion: number | null
  readonly keepalive: number | null
  readonly username: string | null
  readonly remoteAddress: string | null
  readonly connectedAt: number | null
  readonly lastActivity: number | null
  readonly dropped: number
  readonly takeovers: number
  /** Its history as it ended. */
  readonly history: History
}

/** What stays of a clean session that ended with `connection`: the registry's counters and history. */
export function endedOf(
  connection: Connection,
  kept: { dropped: number; takeovers: number; history: History },
  at: number,
  reason: DisconnectReason,
  serverDisconnect?: ServerDisconnect,
): EndedSession {
  return {
    clientId: connection.client.id,
    at,
    reason,
    ...(serverDisconnect ? { serverDisconnect } : {}),
    protocolVersion: connection.protocolVersion,
    keepalive: connection.keepalive,
    username: connection.username,
    remoteAddress: connection.remoteAddress,
    connectedAt: connection.connectedAt,
    lastActivity: connection.lastActivity,
    dropped: kept.dropped,
    takeovers: kept.takeovers,
    history: kept.history,
  }
}

export interface EndedBounds {
  /** How many are kept; past it the one that ended first goes. 0 keeps none. */
  max: number
  /** How long each is kept after it ended. */
  ttlMs: number
  now: () => number
}

/**
 * The recently ended clean sessions, oldest end first, bounded in number and
 * in age. Age is checked as they are read or added (no timer): one past its
 * time is never shown, and at most `max` are held meanwhile.
 */
export class EndedSessions {
  readonly #bounds: EndedBounds
  // a Map iterates in insertion order: the first entry ended first
  readonly #byId = new Map<string, EndedSession>()

  constructor(bounds: EndedBounds) {
    this.#bounds = bounds
  }

  add(session: EndedSession): void {
    if (this.#bounds.max === 0) return
    this.#byId.delete(session.clientId)
    this.#byId.set(session.clientId, session)
    for (const clientId of this.#byId.keys()) {
      if (this.#byId.size <= this.#bounds.max) break
      this.#byId.delete(clientId)
    }
    this.#prune()
  }

  get(clientId: string): EndedSession | undefined {
    this.#prune()
    return this.#byId.get(clientId)
  }

  /** The ClientID connected again, or an operator deleted it: it is no longer shown. */
  delete(clientId: string): boolean {
    return this.#byId.delete(clientId)
  }

  /** Those with the prefix after `after` in ClientID order, at most `limit`. */
  list(prefix: string, after: string | undefined, limit: number): EndedSession[] {
    this.#prune()
    const matching: EndedSession[] = []
    for (const session of this.#byId.values()) {
      const id = session.clientId
      if (id.startsWith(prefix) && (after === undefined || compareClientIds(id, after) > 0)) {
        matching.push(session)
      }
    }
    matching.sort((a, b) => compareClientIds(a.clientId, b.clientId))
    return matching.slice(0, limit)
  }

  get size(): number {
    this.#prune()
    return this.#byId.size
  }

  #prune(): void {
    const oldest = this.#bounds.now() - this.#bounds.ttlMs
    for (const [clientId, session] of this.#byId) {
      if (session.at > oldest) return
      this.#byId.delete(clientId)
    }
  }
}
