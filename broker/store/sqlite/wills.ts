import type { Database, Statement } from 'better-sqlite3'
import type { WillPacket } from '../types.ts'
import { type WillRow, willFromRow, willParams } from './codec.ts'

/** One Will per client, with the broker that holds the client's connection. */
export class Wills {
  readonly #put: Statement<unknown[]>
  readonly #get: Statement<[string], WillRow>
  readonly #has: Statement<[string], number>
  readonly #delete: Statement<[string], WillRow>
  readonly #all: Statement<[], WillRow>

  constructor(db: Database) {
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO wills (client_id, broker_id, topic, payload, qos, retain, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#get = db.prepare('SELECT * FROM wills WHERE client_id = ?')
    this.#has = db.prepare<[string], number>('SELECT 1 FROM wills WHERE client_id = ?').pluck()
    this.#delete = db.prepare('DELETE FROM wills WHERE client_id = ? RETURNING *')
    this.#all = db.prepare('SELECT * FROM wills ORDER BY rowid')
  }

  put(clientId: string, will: WillPacket): void {
    this.#put.run(...willParams(clientId, will))
  }

  get(clientId: string): WillPacket | undefined {
    const row = this.#get.get(clientId)
    return row && willFromRow(row)
  }

  has(clientId: string): boolean {
    return this.#has.get(clientId) !== undefined
  }

  delete(clientId: string): WillPacket | undefined {
    const row = this.#delete.get(clientId)
    return row && willFromRow(row)
  }

  /** The Wills held for brokers not in `brokers`: their clients' brokers are gone. */
  orphans(brokers: Record<string, unknown>): WillPacket[] {
    return this.#all
      .all()
      .filter((row) => row.broker_id === null || !Object.hasOwn(brokers, row.broker_id))
      .map(willFromRow)
  }
}
