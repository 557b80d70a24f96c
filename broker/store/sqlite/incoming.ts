import type { Database, Statement } from 'better-sqlite3'
import { incomingEntryOf } from '../listing.ts'
import type { IncomingEntry, StoredPacket } from '../types.ts'
import { type PacketRow, packetParams, publishFromRow } from './codec.ts'

/**
 * QoS 2 PUBLISH packets received and answered with PUBREC, kept until their
 * PUBREL so a retransmission is not published twice [MQTT-4.3.3-2].
 */
export class IncomingPackets {
  readonly #store: Statement<unknown[]>
  readonly #get: Statement<[string, number], PacketRow>
  readonly #delete: Statement<[string, number]>
  readonly #clean: Statement<[string]>
  readonly #list: Statement<[string, number], PacketRow>

  constructor(db: Database) {
    this.#store = db.prepare(
      `INSERT OR REPLACE INTO incoming (client_id, broker_id, broker_counter, message_id, cmd,
         topic, payload, qos, retain, dup, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#get = db.prepare('SELECT * FROM incoming WHERE client_id = ? AND message_id = ?')
    this.#delete = db.prepare('DELETE FROM incoming WHERE client_id = ? AND message_id = ?')
    this.#clean = db.prepare('DELETE FROM incoming WHERE client_id = ?')
    this.#list = db.prepare(
      'SELECT * FROM incoming WHERE client_id = ? ORDER BY message_id LIMIT ?',
    )
  }

  store(clientId: string, packet: StoredPacket): void {
    this.#store.run(clientId, ...packetParams(packet, packet.messageId ?? 0))
  }

  /** Throws Error('no such packet') when absent, as aedes expects. */
  get(clientId: string, messageId: number | undefined): StoredPacket {
    const row = this.#get.get(clientId, messageId ?? 0)
    if (!row) throw new Error('no such packet')
    return publishFromRow(row)
  }

  /** Throws Error('no such packet') when absent, as aedes' memory store does. */
  delete(clientId: string, messageId: number | undefined): void {
    if (this.#delete.run(clientId, messageId ?? 0).changes === 0) {
      throw new Error('no such packet')
    }
  }

  /** The first `limit` in packet id order, for the operator console. */
  list(clientId: string, limit: number): IncomingEntry[] {
    return this.#list.all(clientId, limit).map((row) => incomingEntryOf(publishFromRow(row)))
  }

  clean(clientId: string): void {
    this.#clean.run(clientId)
  }
}
