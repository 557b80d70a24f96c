import type { Database, Statement } from 'better-sqlite3'
import type { SessionStats } from '../types.ts'

// The ClientIDs of one request, bound as one JSON array parameter.
const CLIENTS = 'client_id IN (SELECT value FROM json_each(?))'

// Payload bytes: a string payload counts its UTF-8 bytes, as the queue caps do.
const PAYLOAD_BYTES = 'octet_length(payload)'
const IS_QUEUED = "message_id IS NULL AND cmd = 'publish'"

interface OutgoingAggregate {
  client_id: string
  queued: number
  queued_bytes: number
  oldest: number | null
  inflight: number
}

/**
 * Per-session aggregates for the inspector, each one query over the rows of
 * the sessions asked about (through the tables' client_id indexes): nothing
 * is loaded into memory beyond the answer.
 */
export class SessionStatsQueries {
  readonly #outgoing: Statement<[string], OutgoingAggregate>
  readonly #incoming: Statement<[string], { client_id: string; n: number }>
  readonly #subscriptions: Statement<[string], { client_id: string; n: number }>

  constructor(db: Database) {
    this.#outgoing = db.prepare(
      `SELECT client_id,
         sum(${IS_QUEUED}) AS queued,
         sum(CASE WHEN ${IS_QUEUED} THEN ${PAYLOAD_BYTES} ELSE 0 END) AS queued_bytes,
         min(CASE WHEN ${IS_QUEUED} THEN queued_at END) AS oldest,
         sum(message_id IS NOT NULL) AS inflight
       FROM outgoing WHERE ${CLIENTS} GROUP BY client_id`,
    )
    this.#incoming = db.prepare(
      `SELECT client_id, count(*) AS n FROM incoming WHERE ${CLIENTS} GROUP BY client_id`,
    )
    this.#subscriptions = db.prepare(
      `SELECT client_id, count(*) AS n FROM subscriptions WHERE ${CLIENTS} GROUP BY client_id`,
    )
  }

  of(clientIds: readonly string[]): Map<string, SessionStats> {
    const stats = new Map<string, SessionStats>()
    for (const clientId of clientIds) stats.set(clientId, emptyStats())
    if (clientIds.length === 0) return stats
    const ids = JSON.stringify(clientIds)
    for (const row of this.#outgoing.all(ids)) {
      const entry = stats.get(row.client_id) as SessionStats
      entry.queued = row.queued
      entry.queuedBytes = row.queued_bytes
      entry.oldestQueuedAt = row.oldest
      entry.inflight = row.inflight
    }
    for (const row of this.#incoming.all(ids)) {
      ;(stats.get(row.client_id) as SessionStats).incoming = row.n
    }
    for (const row of this.#subscriptions.all(ids)) {
      ;(stats.get(row.client_id) as SessionStats).subscriptions = row.n
    }
    return stats
  }
}

export function emptyStats(): SessionStats {
  return {
    subscriptions: 0,
    queued: 0,
    queuedBytes: 0,
    oldestQueuedAt: null,
    inflight: 0,
    incoming: 0,
  }
}
