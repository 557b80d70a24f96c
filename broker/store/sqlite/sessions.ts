import type { Database, Statement } from 'better-sqlite3'
import { compareClientIds, prefixUpperBound } from '../client-id-order.ts'
import type { EndedSession, SessionRange, SessionRecord, SessionTouch } from '../types.ts'

export interface SessionRow {
  client_id: string
  protocol_version: number | null
  keepalive: number | null
  username: string | null
  remote_address: string | null
  created_at: number | null
  connected_at: number | null
  disconnected_at: number | null
  last_activity: number | null
  dropped: number
  takeovers: number
  session_expiry: number | null
}

// `node` (cluster mode) is not stored here.
const COLUMN_OF: { [K in Exclude<keyof Required<SessionTouch>, 'node'>]: string } = {
  protocolVersion: 'protocol_version',
  keepalive: 'keepalive',
  username: 'username',
  remoteAddress: 'remote_address',
  connectedAt: 'connected_at',
  disconnectedAt: 'disconnected_at',
  lastActivity: 'last_activity',
  sessionExpiry: 'session_expiry',
}

/**
 * The `sessions` table: which ClientIDs have a persistent session
 * (CleanSession=0), and the record the inspector shows of each.
 */
export class SessionTable {
  readonly #db: Database
  readonly #open: Statement<[string, number]>
  readonly #delete: Statement<[string]>
  readonly #get: Statement<[string], SessionRow>
  readonly #add: Statement<[number, number, string]>
  readonly #idle: Statement<[number, number], { client_id: string; disconnected_at: number }>
  readonly #ended: Statement<[number, number], EndedRow>
  readonly #nextEnd: Statement<[], number | null>
  readonly #closeOpen: Statement<[number]>
  readonly #countAll: Statement<[], number>
  readonly #countRange: Statement<[string, string], number>
  readonly #countFrom: Statement<[string], number>
  /** Page queries by bound kind: lower inclusive/exclusive, with/without upper bound. */
  readonly #pages: Record<string, Statement<unknown[], SessionRow>> = {}
  /** UPDATE statements by the set of columns they set. */
  readonly #touches = new Map<string, Statement<unknown[]>>()

  constructor(db: Database) {
    this.#db = db
    this.#open = db.prepare(
      'INSERT INTO sessions (client_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
    )
    this.#delete = db.prepare('DELETE FROM sessions WHERE client_id = ?')
    this.#get = db.prepare('SELECT * FROM sessions WHERE client_id = ?')
    this.#add = db.prepare(
      'UPDATE sessions SET dropped = dropped + ?, takeovers = takeovers + ? WHERE client_id = ?',
    )
    this.#idle = db.prepare(
      `SELECT client_id, disconnected_at FROM sessions
       WHERE disconnected_at < ? AND session_expiry IS NULL
       ORDER BY disconnected_at LIMIT ?`,
    )
    // both read off sessions_by_end (the same expression and condition)
    this.#ended = db.prepare(
      `SELECT client_id, disconnected_at, session_expiry FROM sessions
       WHERE session_expiry < 4294967295 AND disconnected_at + session_expiry * 1000 <= ?
       ORDER BY disconnected_at + session_expiry * 1000 LIMIT ?`,
    )
    this.#nextEnd = db
      .prepare<[], number | null>(
        `SELECT min(disconnected_at + session_expiry * 1000) FROM sessions
         WHERE session_expiry < 4294967295`,
      )
      .pluck()
    this.#closeOpen = db.prepare(
      'UPDATE sessions SET disconnected_at = ? WHERE disconnected_at IS NULL',
    )
    this.#countAll = db.prepare<[], number>('SELECT count(*) FROM sessions').pluck()
    this.#countRange = db
      .prepare<[string, string], number>(
        'SELECT count(*) FROM sessions WHERE client_id >= ? AND client_id < ?',
      )
      .pluck()
    this.#countFrom = db
      .prepare<[string], number>('SELECT count(*) FROM sessions WHERE client_id >= ?')
      .pluck()
    for (const lower of ['>', '>=']) {
      for (const upper of [true, false]) {
        const bound = upper ? ' AND client_id < ?' : ''
        this.#pages[`${lower}${upper}`] = db.prepare(
          `SELECT * FROM sessions WHERE client_id ${lower} ?${bound} ORDER BY client_id LIMIT ?`,
        )
      }
    }
  }

  /** Marks the session and tells whether it existed before. */
  open(clientId: string, at: number): boolean {
    return this.#open.run(clientId, at).changes === 0
  }

  delete(clientId: string): void {
    this.#delete.run(clientId)
  }

  get(clientId: string): SessionRecord | undefined {
    const row = this.#get.get(clientId)
    return row && fromRow(row)
  }

  list(range: SessionRange): SessionRecord[] {
    const upper = range.prefix ? prefixUpperBound(range.prefix) : null
    // One lower bound, the tighter of `after` (exclusive) and the prefix
    // (inclusive), so the scan starts where the page does.
    let lower = range.prefix ?? ''
    let op = '>='
    if (range.after !== undefined && compareClientIds(range.after, lower) >= 0) {
      lower = range.after
      op = '>'
    }
    const params: unknown[] = upper === null ? [lower] : [lower, upper]
    return this.#pages[`${op}${upper !== null}`].all(...params, range.limit).map(fromRow)
  }

  count(prefix?: string): number {
    if (!prefix) return this.#countAll.get() as number
    const upper = prefixUpperBound(prefix)
    return (upper === null ? this.#countFrom.get(prefix) : this.#countRange.get(prefix, upper)) ?? 0
  }

  touch(clientId: string, touch: SessionTouch): void {
    const keys = (Object.keys(touch) as (keyof SessionTouch)[])
      .filter(
        (key): key is keyof typeof COLUMN_OF =>
          Object.hasOwn(COLUMN_OF, key) && touch[key] !== undefined,
      )
      .sort()
    if (keys.length === 0) return
    const signature = keys.join(',')
    let statement = this.#touches.get(signature)
    if (!statement) {
      const sets = keys.map((key) => `${COLUMN_OF[key]} = ?`).join(', ')
      statement = this.#db.prepare(`UPDATE sessions SET ${sets} WHERE client_id = ?`)
      this.#touches.set(signature, statement)
    }
    statement.run(...keys.map((key) => touch[key]), clientId)
  }

  add(clientId: string, counts: { dropped?: number; takeovers?: number }): void {
    this.#add.run(counts.dropped ?? 0, counts.takeovers ?? 0, clientId)
  }

  idle(before: number, limit: number): { clientId: string; disconnectedAt: number }[] {
    return this.#idle
      .all(before, limit)
      .map((row) => ({ clientId: row.client_id, disconnectedAt: row.disconnected_at }))
  }

  ended(now: number, limit: number): EndedSession[] {
    return this.#ended.all(now, limit).map((row) => ({
      clientId: row.client_id,
      disconnectedAt: row.disconnected_at,
      sessionExpiry: row.session_expiry,
    }))
  }

  nextEnd(): number | null {
    return this.#nextEnd.get() ?? null
  }

  closeOpen(at: number): number {
    return this.#closeOpen.run(at).changes
  }
}

interface EndedRow {
  client_id: string
  disconnected_at: number
  session_expiry: number
}

export function fromRow(row: SessionRow): SessionRecord {
  const record: SessionRecord = {
    clientId: row.client_id,
    protocolVersion: row.protocol_version,
    keepalive: row.keepalive,
    username: row.username,
    remoteAddress: row.remote_address,
    createdAt: row.created_at,
    connectedAt: row.connected_at,
    disconnectedAt: row.disconnected_at,
    lastActivity: row.last_activity,
    dropped: row.dropped,
    takeovers: row.takeovers,
  }
  if (row.session_expiry !== null) record.sessionExpiry = row.session_expiry
  return record
}
