import { deserialize } from 'node:v8'
import type { Database, Statement } from 'better-sqlite3'
import { compareClientIds, prefixUpperBound } from '../client-id-order.ts'
import { PAYLOAD_HEAD_BYTES, payloadHead } from '../listing.ts'
import { toQoS } from '../packet.ts'
import { hasWildcard, literalPrefix, topicMatcher } from '../topics.ts'
import type { RetainedEntry, RetainedRange, StoredPacket } from '../types.ts'
import { retainedFromRow, retainedRest } from './codec.ts'

interface RetainedRow {
  topic: string
  payload: Buffer | string
  rest: Buffer
}

/** A row of an operator's listing: topic, payload size and head, the rest of the packet. */
type ListRow = [topic: string, bytes: number, head: Buffer | string, rest: Buffer]

/** The last retained message of each topic [MQTT-3.3.1-5]. */
export class RetainedMessages {
  readonly #db: Database
  /** The listing's statements by their bounds: `>` or `>=` the lower one, with an upper one or not. */
  readonly #lists = new Map<string, Statement<unknown[], ListRow>>()
  readonly #put: Statement<unknown[]>
  readonly #delete: Statement<[string]>
  readonly #get: Statement<[string], RetainedRow>
  readonly #count: Statement<[], number>
  readonly #all: Statement<[], RetainedRow>
  readonly #from: Statement<[string], RetainedRow>
  readonly #between: Statement<[string, string], RetainedRow>

  constructor(db: Database) {
    this.#db = db
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO retained (topic, payload, rest) VALUES (?, ?, ?)',
    )
    this.#delete = db.prepare('DELETE FROM retained WHERE topic = ?')
    this.#get = db.prepare('SELECT * FROM retained WHERE topic = ?')
    // from the primary key's index, no payload read
    this.#count = db.prepare<[], number>('SELECT count(*) FROM retained').pluck()
    this.#all = db.prepare('SELECT * FROM retained ORDER BY topic')
    this.#from = db.prepare('SELECT * FROM retained WHERE topic >= ? ORDER BY topic')
    this.#between = db.prepare(
      'SELECT * FROM retained WHERE topic >= ? AND topic < ? ORDER BY topic',
    )
  }

  count(): number {
    return this.#count.get() as number
  }

  /** A zero-length payload removes the topic's retained message [MQTT-3.3.1-10]. */
  store(packet: StoredPacket): void {
    if (packet.payload.length === 0) this.#delete.run(packet.topic)
    else this.#put.run(packet.topic, packet.payload, retainedRest(packet))
  }

  /**
   * The retained messages matching each pattern in turn: a point lookup for a
   * plain topic, otherwise the topics that start with the literal part before
   * the first wildcard, tested against the pattern.
   */
  matching(patterns: string[]): StoredPacket[] {
    const found: StoredPacket[] = []
    for (const pattern of patterns) {
      if (!hasWildcard(pattern)) {
        const row = this.#get.get(pattern)
        if (row) found.push(retainedFromRow(row))
        continue
      }
      const matches = topicMatcher(pattern)
      for (const row of this.#candidates(literalPrefix(pattern))) {
        if (matches(row.topic)) found.push(retainedFromRow(row))
      }
    }
    return found
  }

  /**
   * A page of the retained messages in topic order (SQLite's BINARY collation
   * is UTF-8 byte order), from the primary key's index: after the cursor's
   * topic or from the prefix on, whichever is later, and below the prefix's
   * upper bound. No payload is read whole.
   */
  list(range: RetainedRange): RetainedEntry[] {
    const { prefix = '', after } = range
    const fromCursor = after !== undefined && compareClientIds(after, prefix) >= 0
    const upper = prefix === '' ? null : prefixUpperBound(prefix)
    const params: unknown[] = [fromCursor ? after : prefix]
    if (upper !== null) params.push(upper)
    params.push(range.limit)
    return this.#listStatement(fromCursor ? '>' : '>=', upper !== null)
      .all(...params)
      .map(([topic, bytes, head, rest]) => ({
        topic,
        qos: toQoS((deserialize(rest) as { qos?: number }).qos ?? 0),
        payloadBytes: bytes,
        payloadHead: payloadHead(head),
      }))
  }

  #listStatement(lower: '>' | '>=', bounded: boolean): Statement<unknown[], ListRow> {
    const key = `${lower}${bounded}`
    let statement = this.#lists.get(key)
    if (statement === undefined) {
      statement = this.#db
        .prepare<unknown[], ListRow>(
          `SELECT topic, octet_length(payload), substr(payload, 1, ${PAYLOAD_HEAD_BYTES}), rest
           FROM retained WHERE topic ${lower} ? ${bounded ? 'AND topic < ?' : ''}
           ORDER BY topic LIMIT ?`,
        )
        .raw()
      this.#lists.set(key, statement)
    }
    return statement
  }

  #candidates(prefix: string): RetainedRow[] {
    if (prefix === '') return this.#all.all()
    const upper = successor(prefix)
    return upper === undefined ? this.#from.all(prefix) : this.#between.all(prefix, upper)
  }
}

/**
 * The smallest string above every string that starts with `prefix`, or
 * undefined when the last character cannot be incremented safely. UTF-8 keeps
 * code point order, so SQLite's byte-wise comparison agrees.
 */
function successor(prefix: string): string | undefined {
  const last = prefix.charCodeAt(prefix.length - 1)
  if (last >= 0xd7ff) return undefined
  return prefix.slice(0, -1) + String.fromCharCode(last + 1)
}
