import type { Database, Statement } from 'better-sqlite3'
import { toQoS } from '../packet.ts'
import type { Qos0Index } from '../qos0-index.ts'
import type { QueueTally } from '../queue-tally.ts'
import type { QueuedEntry, QueueTotals } from '../types.ts'

// A queue entry never sent: a PUBLISH without a packet id.
const IS_QUEUED = "message_id IS NULL AND cmd = 'publish'"
// Rows read per query while walking a queue for drops.
const WALK_PAGE = 64

interface QueuedRow {
  id: number
  topic: string
  qos: number
  bytes: number
}

/**
 * What the queue caps and QoS 0 queueing read from the tables: the totals
 * loaded into memory once at start-up (one GROUP BY), the persistent QoS 0
 * subscriptions, and the oldest queued rows of a client, dropped in place.
 */
export class QueuedMessages {
  readonly #totals: Statement<[], { client_id: string; count: number; bytes: number }>
  readonly #qos0: Statement<[], { client_id: string; topic: string }>
  readonly #oldest: Statement<[string, number, number], QueuedRow>
  readonly #delete: Statement<[number]>

  constructor(db: Database) {
    this.#totals = db.prepare(
      `SELECT client_id, count(*) AS count, sum(octet_length(payload)) AS bytes
       FROM outgoing WHERE ${IS_QUEUED} GROUP BY client_id`,
    )
    this.#qos0 = db.prepare('SELECT client_id, topic FROM subscriptions WHERE qos = 0')
    this.#oldest = db.prepare(
      `SELECT id, topic, qos, octet_length(payload) AS bytes FROM outgoing
       WHERE client_id = ? AND id > ? AND ${IS_QUEUED} ORDER BY id LIMIT ?`,
    )
    this.#delete = db.prepare('DELETE FROM outgoing WHERE id = ?')
  }

  /** Fills the tally and the QoS 0 index from the tables. */
  load(tally: QueueTally, qos0: Qos0Index): void {
    this.loadTally(tally)
    for (const row of this.#qos0.all()) qos0.add(row.client_id, [{ topic: row.topic, qos: 0 }])
  }

  /** Sets the tally to what the table holds (at start-up, and after a rollback). */
  loadTally(tally: QueueTally): void {
    tally.clear()
    for (const row of this.#totals.all()) {
      tally.set(row.client_id, { count: row.count, bytes: row.bytes ?? 0 })
    }
  }

  /** See `QueuePolicyStore.dropOldestQueued`; keeps the tally in step. */
  dropOldest(
    clientId: string,
    tally: QueueTally,
    drop: (entry: QueuedEntry, left: QueueTotals) => boolean,
  ): void {
    let after = 0
    for (;;) {
      const rows = this.#oldest.all(clientId, after, WALK_PAGE)
      for (const row of rows) {
        const entry: QueuedEntry = { topic: row.topic, qos: toQoS(row.qos), bytes: row.bytes ?? 0 }
        if (!drop(entry, tally.get(clientId))) return
        this.#delete.run(row.id)
        tally.unqueued(clientId, entry.bytes)
      }
      if (rows.length < WALK_PAGE) {
        // Every queued row was dropped: whatever the tally says, none is left.
        tally.forget(clientId)
        return
      }
      after = rows[rows.length - 1].id
    }
  }
}
