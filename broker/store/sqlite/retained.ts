import type { Database, Statement } from 'better-sqlite3'
import { hasWildcard, literalPrefix, topicMatcher } from '../topics.ts'
import type { StoredPacket } from '../types.ts'
import { retainedFromRow, retainedRest } from './codec.ts'

interface RetainedRow {
  topic: string
  payload: Buffer | string
  rest: Buffer
}

/** The last retained message of each topic [MQTT-3.3.1-5]. */
export class RetainedMessages {
  readonly #put: Statement<unknown[]>
  readonly #delete: Statement<[string]>
  readonly #get: Statement<[string], RetainedRow>
  readonly #all: Statement<[], RetainedRow>
  readonly #from: Statement<[string], RetainedRow>
  readonly #between: Statement<[string, string], RetainedRow>

  constructor(db: Database) {
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO retained (topic, payload, rest) VALUES (?, ?, ?)',
    )
    this.#delete = db.prepare('DELETE FROM retained WHERE topic = ?')
    this.#get = db.prepare('SELECT * FROM retained WHERE topic = ?')
    this.#all = db.prepare('SELECT * FROM retained ORDER BY topic')
    this.#from = db.prepare('SELECT * FROM retained WHERE topic >= ? ORDER BY topic')
    this.#between = db.prepare(
      'SELECT * FROM retained WHERE topic >= ? AND topic < ? ORDER BY topic',
    )
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
