import type { Database, Statement } from 'better-sqlite3'
import { prefixUpperBound } from '../client-id-order.ts'
import type { SessionSortKey, SortedSessionRange, SortedSessionRecord } from '../types.ts'
import { fromRow, type SessionRow } from './sessions.ts'

/**
 * The sort value of each key as SQL, the same numbers `sortValueOf` gives
 * (broker/store/sorted-sessions.ts). The two times match the expressions of
 * the indexes `sessions_by_connected_at` and `sessions_by_last_activity`
 * (schema version 4) exactly, so SQLite walks an index in order and stops
 * after a page.
 */
const VALUE: Record<Exclude<SessionSortKey, 'queued'>, string> = {
  clientId: '0',
  connectedAt: 'coalesce(s.connected_at, -1)',
  lastActivity: 'coalesce(s.last_activity, -1)',
}

const IS_QUEUED = "o.message_id IS NULL AND o.cmd = 'publish'"

/** Keyset pages of the `sessions` table in the session list's sort orders. */
export class SortedSessionQueries {
  readonly #db: Database
  /** Statements by their SQL. */
  readonly #statements = new Map<string, Statement<unknown[], SessionRow & { k: number }>>()

  constructor(db: Database) {
    this.#db = db
  }

  list(range: SortedSessionRange): SortedSessionRecord[] {
    if (range.by === 'queued') return this.#byQueue(range)
    const { by, order, after } = range
    const where = prefixRange('s.client_id', range.prefix)
    const op = order === 'asc' ? '>' : '<'
    if (after !== undefined) {
      if (by === 'clientId') where.add(`s.client_id ${op} ?`, after.clientId)
      // not as a row value, which SQLite does not seek an expression index to (it scans from the
      // top, 90 ms half-way down 100,000 sessions): the first term bounds the index range
      else
        where.add(
          `${VALUE[by]} ${op}= ? AND (${VALUE[by]} ${op} ? OR s.client_id ${op} ?)`,
          after.value,
          after.value,
          after.clientId,
        )
    }
    const dir = order === 'asc' ? 'ASC' : 'DESC'
    const orderBy =
      by === 'clientId' ? `s.client_id ${dir}` : `${VALUE[by]} ${dir}, s.client_id ${dir}`
    return this.#all(
      `SELECT s.*, ${VALUE[by]} AS k FROM sessions s ${where.sql()} ORDER BY ${orderBy} LIMIT ?`,
      [...where.params, range.limit],
    )
  }

  /**
   * By queue length, which no index holds: most sessions have nothing
   * queued, so the list is two runs. Those with something queued come from
   * an aggregate of the queued rows alone (as many as there are queued
   * messages, not sessions), sorted; those with nothing are walked in
   * ClientID order off the primary key, each checked against the outgoing
   * index. Ascending, the empty ones come first; descending, last.
   */
  #byQueue(range: SortedSessionRange): SortedSessionRecord[] {
    const { order, after, limit } = range
    const rows: SortedSessionRecord[] = []
    for (const run of order === 'asc' ? ['empty', 'queued'] : ['queued', 'empty']) {
      if (rows.length >= limit) break
      const page = run === 'empty' ? this.#empty(range, after) : this.#queued(range, after)
      rows.push(...(page ?? []).slice(0, limit - rows.length))
    }
    return rows
  }

  /** Sessions with nothing queued after `after`, or null when `after` is past all of them. */
  #empty(
    range: SortedSessionRange,
    after: SortedSessionRange['after'],
  ): SortedSessionRecord[] | null {
    const where = prefixRange('s.client_id', range.prefix)
    const op = range.order === 'asc' ? '>' : '<'
    if (after !== undefined) {
      if (after.value === 0) where.add(`s.client_id ${op} ?`, after.clientId)
      // ascending, a cursor among the queued ones is past every empty one
      else if (range.order === 'asc') return null
    }
    where.add(
      `NOT EXISTS (SELECT 1 FROM outgoing o WHERE o.client_id = s.client_id AND ${IS_QUEUED})`,
    )
    const dir = range.order === 'asc' ? 'ASC' : 'DESC'
    return this.#all(
      `SELECT s.*, 0 AS k FROM sessions s ${where.sql()} ORDER BY s.client_id ${dir} LIMIT ?`,
      [...where.params, range.limit],
    )
  }

  /** Sessions with something queued after `after`, or null when `after` is past all of them. */
  #queued(
    range: SortedSessionRange,
    after: SortedSessionRange['after'],
  ): SortedSessionRecord[] | null {
    const inner = prefixRange('o.client_id', range.prefix)
    inner.add(IS_QUEUED)
    const where = new Where()
    const op = range.order === 'asc' ? '>' : '<'
    if (after !== undefined && after.value > 0) {
      where.add(`(q.n, s.client_id) ${op} (?, ?)`, after.value, after.clientId)
    } else if (after !== undefined && range.order === 'desc') return null
    const dir = range.order === 'asc' ? 'ASC' : 'DESC'
    return this.#all(
      `SELECT s.*, q.n AS k FROM (
         SELECT o.client_id, count(*) AS n FROM outgoing o ${inner.sql()} GROUP BY o.client_id
       ) q JOIN sessions s ON s.client_id = q.client_id ${where.sql()}
       ORDER BY q.n ${dir}, s.client_id ${dir} LIMIT ?`,
      [...inner.params, ...where.params, range.limit],
    )
  }

  #all(sql: string, params: unknown[]): SortedSessionRecord[] {
    let statement = this.#statements.get(sql)
    if (!statement) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement.all(...params).map((row) => ({ record: fromRow(row), value: row.k }))
  }
}

/** A WHERE clause built a condition at a time, with its parameters in order. */
class Where {
  readonly conditions: string[] = []
  readonly params: unknown[] = []

  add(condition: string, ...params: unknown[]): void {
    this.conditions.push(condition)
    this.params.push(...params)
  }

  sql(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`
  }
}

/** ClientIDs starting with `prefix` as a range of `column`, which an index on it seeks. */
function prefixRange(column: string, prefix: string | undefined): Where {
  const where = new Where()
  if (!prefix) return where
  where.add(`${column} >= ?`, prefix)
  const upper = prefixUpperBound(prefix)
  if (upper !== null) where.add(`${column} < ?`, upper)
  return where
}
