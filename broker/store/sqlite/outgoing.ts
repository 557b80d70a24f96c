import { Readable } from 'node:stream'
import { deserialize } from 'node:v8'
import type { Database, Statement } from 'better-sqlite3'
import { messageExpiryOf, PAYLOAD_HEAD_BYTES, payloadHead, pubrelEntry } from '../listing.ts'
import { toQoS } from '../packet.ts'
import { firstSendBytes } from '../queue-tally.ts'
import type {
  NumberedEntry,
  OutgoingEntry,
  OutgoingPacket,
  OutgoingRef,
  StoredPacket,
} from '../types.ts'
import {
  PACKET_COLUMNS,
  type PacketParams,
  type PacketRow,
  packetFromColumns,
  packetFromRow,
  packetParams,
} from './codec.ts'
import { InflightRows } from './inflight.ts'

/** Rows read per query while streaming a queue: the queue never sits in memory whole. */
export const OUTGOING_PAGE_SIZE = 256

const COLUMNS = PACKET_COLUMNS
const SET_COLUMNS = COLUMNS.split(', ')
  .map((column) => `${column} = ?`)
  .join(', ')
const BY_ORIGIN =
  'SELECT id FROM outgoing WHERE client_id = ? AND broker_id = ? AND broker_counter = ?'
/** Acknowledged rows deleted per statement; fewer go one by one. */
const DELETE_CHUNK = 64
/** Rows numbered per statement (two parameters each). */
const NUMBER_CHUNK = 64

type Row = PacketRow & { id: number }
/** A page row read raw: {@link PACKET_COLUMNS}, then its id. */
type PageRow = [...PacketParams, id: number]
const PAGE_ROW_ID = 10
/** A row of an operator's listing: what it shows, the payload cut to its head. */
type ListRow = [
  id: number,
  cmd: string,
  messageId: number | null,
  topic: string | null,
  qos: number | null,
  retain: number | null,
  dup: number | null,
  bytes: number | null,
  head: Buffer | string | null,
  queuedAt: number | null,
  extra: Buffer | null,
]

/**
 * The outgoing queues, one table for all clients, `id` giving queue order.
 * Queue entries are copies of aedes' packets; their order never changes: a
 * PUBREL takes the place of its PUBLISH.
 *
 * Entries sent and not yet acknowledged are found by packet id in memory
 * ({@link InflightRows}). An acknowledged entry leaves that at once and the
 * table when the transaction commits, with the others of the batch, in a
 * few statements ({@link flushAcknowledged}); the reads here delete them
 * first, so none ever sees an acknowledged entry.
 */
export class OutgoingQueues {
  readonly #db: Database
  readonly #assertOpen: () => void
  readonly #now: () => number
  /** Ids are handed out here so they only grow, even when the last row was deleted. */
  #nextId: number
  readonly #insert: Statement<unknown[]>
  readonly #byOrigin: Statement<
    [string, string, number | null],
    { id: number; message_id: number | null }
  >
  readonly #setMessageId: Statement<[number | null, number]>
  readonly #replace: Statement<unknown[]>
  readonly #replaceOther: Statement<unknown[]>
  readonly #clearRow: Statement<[number], Row>
  readonly #deleteRow: Statement<[number]>
  readonly #deleteChunk: Statement<number[]>
  readonly #inflightRows: Statement<[], [string, number, number]>
  readonly #inflight = new InflightRows()
  /** Rows acknowledged in the open transaction, not yet deleted from the table. */
  #acknowledged: number[] = []
  /** Where {@link stream} read each entry, for {@link number}. */
  readonly #rowOf = new WeakMap<OutgoingPacket, number>()
  /** `UPDATE … FROM (VALUES …)` of n rows, by n, made when first needed. */
  readonly #numberRows = new Map<number, Statement<number[], [number]>>()
  readonly #clearUnsent: Statement<[string, string, number], Row>
  readonly #page: Statement<[string, number, number, number], PageRow>
  readonly #list: Statement<[string, number, number], ListRow>
  readonly #discard: Statement<[string]>
  readonly #any: Statement<[string], number>

  constructor(db: Database, assertOpen: () => void, now: () => number = Date.now) {
    this.#db = db
    this.#assertOpen = assertOpen
    this.#now = now
    this.#nextId = ((db.prepare('SELECT max(id) FROM outgoing').pluck().get() as number) ?? 0) + 1
    this.#insert = db.prepare(
      `INSERT INTO outgoing (id, client_id, ${COLUMNS}, queued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#byOrigin = db.prepare(
      `SELECT id, message_id FROM outgoing
       WHERE client_id = ? AND broker_id = ? AND broker_counter = ? ORDER BY id LIMIT 1`,
    )
    this.#setMessageId = db.prepare('UPDATE outgoing SET message_id = ? WHERE id = ?')
    this.#replace = db.prepare(`UPDATE outgoing SET ${SET_COLUMNS} WHERE id = ?`)
    this.#replaceOther = db.prepare(
      `UPDATE outgoing SET ${SET_COLUMNS} WHERE id = ? AND broker_id IS NOT ?`,
    )
    this.#clearRow = db.prepare('DELETE FROM outgoing WHERE id = ? RETURNING *')
    this.#deleteRow = db.prepare('DELETE FROM outgoing WHERE id = ?')
    this.#deleteChunk = db.prepare(
      `DELETE FROM outgoing WHERE id IN (${Array(DELETE_CHUNK).fill('?').join(', ')})`,
    )
    this.#inflightRows = db
      .prepare<[], [string, number, number]>(
        'SELECT client_id, message_id, id FROM outgoing WHERE message_id IS NOT NULL ORDER BY id',
      )
      .raw()
    this.loadInflight()
    this.#clearUnsent = db.prepare(
      `DELETE FROM outgoing
       WHERE id = (${BY_ORIGIN} AND message_id IS NULL ORDER BY id LIMIT 1) RETURNING *`,
    )
    this.#page = db
      .prepare<[string, number, number, number], PageRow>(
        `SELECT ${COLUMNS}, id FROM outgoing
         WHERE client_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?`,
      )
      .raw()
    // substr counts characters of a string payload (TEXT) and bytes of a Buffer (BLOB):
    // payloadHead then cuts either to bytes
    this.#list = db
      .prepare<[string, number, number], ListRow>(
        `SELECT id, cmd, message_id, topic, qos, retain, dup, octet_length(payload),
           substr(payload, 1, ${PAYLOAD_HEAD_BYTES}), queued_at, extra
         FROM outgoing WHERE client_id = ? AND id > ? ORDER BY id LIMIT ?`,
      )
      .raw()
    this.#discard = db.prepare('DELETE FROM outgoing WHERE client_id = ?')
    this.#any = db
      .prepare<[string], number>('SELECT 1 FROM outgoing WHERE client_id = ? LIMIT 1')
      .pluck()
  }

  /** Queues a copy of the packet for each client, in this order. */
  enqueue(clientIds: readonly string[], packet: StoredPacket): void {
    if (clientIds.length === 0) return
    const params = packetParams(packet, null)
    const queuedAt = this.#now()
    if (clientIds.length === 1) {
      this.#insert.run(this.#nextId++, clientIds[0], ...params, queuedAt)
      return
    }
    // All copies or none: a savepoint inside the batch's transaction.
    this.#db.transaction(() => {
      for (const clientId of clientIds) {
        this.#insert.run(this.#nextId++, clientId, ...params, queuedAt)
      }
    })()
  }

  /** See `AedesPersistence.outgoingUpdate`; throws Error('no such packet'). */
  update(clientId: string, packet: OutgoingPacket): void {
    const { brokerId, brokerCounter, messageId } = packet
    // An origin only matches when there is one: aedes' memory store matched
    // undefined to undefined, so a second PUBREC rewrote the first PUBREL.
    if (brokerId != null) {
      const row = this.#byOrigin.get(clientId, brokerId, brokerCounter ?? null)
      if (row) {
        this.#setMessageId.run(messageId ?? null, row.id)
        if (row.message_id !== null) this.#inflight.remove(clientId, row.message_id, row.id)
        if (messageId != null) this.#inflight.add(clientId, messageId, row.id)
        return
      }
    }
    if (messageId != null) {
      // the packet id stays: the row keeps its place in the in-flight rows
      const params: PacketParams = packetParams(packet, messageId)
      for (const rowId of this.#inflight.all(clientId, messageId)) {
        const replaced =
          brokerId == null
            ? this.#replace.run(...params, rowId)
            : this.#replaceOther.run(...params, rowId, brokerId)
        if (replaced.changes > 0) return
      }
    }
    throw new Error('no such packet')
  }

  /** See `AedesPersistence.outgoingClearMessageId`. */
  clear(clientId: string, ref: OutgoingRef): OutgoingPacket | undefined {
    const { messageId, brokerId, brokerCounter } = ref
    let row: Row | undefined
    if (messageId != null) {
      const rowId = this.#inflight.first(clientId, messageId)
      if (rowId === undefined) return undefined
      row = this.#clearRow.get(rowId)
      this.#inflight.remove(clientId, messageId, rowId)
    } else if (brokerId != null && brokerCounter != null) {
      row = this.#clearUnsent.get(clientId, brokerId, brokerCounter)
    }
    return row && packetFromRow(row)
  }

  /**
   * See `SessionStore.outgoingNumber`: the rows, found by id, take their
   * packet ids in a statement per {@link NUMBER_CHUNK}; an entry not read by
   * {@link stream} is found by origin. Returns the payload bytes of each
   * entry numbered (0 for one that was not queued), for the queue tally. Throws Error('no such packet') when
   * an entry's row is gone (the others are numbered).
   */
  number(clientId: string, numbered: readonly NumberedEntry[]): number[] {
    const sent: number[] = []
    const rows: NumberedEntry[] = []
    for (const one of numbered) {
      if (this.#rowOf.has(one.entry)) rows.push(one)
      else {
        this.update(clientId, { ...one.entry, messageId: one.messageId })
        sent.push(firstSendBytes(one.entry) ?? 0)
      }
    }
    let missing = 0
    for (let at = 0; at < rows.length; at += NUMBER_CHUNK) {
      const chunk = rows.slice(at, at + NUMBER_CHUNK)
      const params: number[] = []
      for (const { entry, messageId } of chunk) params.push(this.#rowOf.get(entry) ?? 0, messageId)
      const changed = new Set(
        this.#numberStatement(chunk.length)
          .all(...params)
          .map(([id]) => id),
      )
      for (const { entry, messageId } of chunk) {
        const rowId = this.#rowOf.get(entry) ?? 0
        if (!changed.has(rowId)) {
          missing++
          continue
        }
        this.#inflight.add(clientId, messageId, rowId)
        sent.push(firstSendBytes(entry) ?? 0)
      }
    }
    if (missing > 0) throw new Error('no such packet')
    return sent
  }

  #numberStatement(rows: number): Statement<number[], [number]> {
    let statement = this.#numberRows.get(rows)
    if (!statement) {
      // only a row still never sent: one sent meanwhile keeps its id
      statement = this.#db
        .prepare<number[], [number]>(
          `UPDATE outgoing SET message_id = v.column2
           FROM (VALUES ${Array(rows).fill('(?, ?)').join(', ')}) AS v
           WHERE outgoing.id = v.column1 AND outgoing.message_id IS NULL
           RETURNING outgoing.id`,
        )
        .raw()
      this.#numberRows.set(rows, statement)
    }
    return statement
  }

  /**
   * Removes the first entry sent with this messageId, reading nothing back:
   * from memory now, from the table at {@link flushAcknowledged}. A sent
   * entry is never counted as queued, so no tally changes.
   */
  acknowledge(clientId: string, messageId: number): void {
    const rowId = this.#inflight.first(clientId, messageId)
    if (rowId === undefined) return
    this.#inflight.remove(clientId, messageId, rowId)
    this.#acknowledged.push(rowId)
  }

  /**
   * Deletes the rows acknowledged since the last call, in the open
   * transaction: the batch runs it before it commits, and every read here
   * before it reads. Row ids are never reused, so a row deleted meanwhile
   * (its queue discarded) is simply not there.
   */
  flushAcknowledged(): void {
    const rows = this.#acknowledged
    if (rows.length === 0) return
    this.#acknowledged = []
    let at = 0
    for (; at + DELETE_CHUNK <= rows.length; at += DELETE_CHUNK) {
      this.#deleteChunk.run(...rows.slice(at, at + DELETE_CHUNK))
    }
    for (; at < rows.length; at++) this.#deleteRow.run(rows[at])
  }

  /**
   * Reads the in-flight rows from the table again: after a rollback, which
   * undid writes the memory had already taken in.
   */
  loadInflight(): void {
    this.#acknowledged = []
    this.#inflight.load(this.#inflightRows.iterate())
  }

  /**
   * Streams the client's queue as it is now, oldest first, a page at a time:
   * what is queued later is not included (as in aedes' memory store, which
   * streams a copy), entries cleared meanwhile are skipped.
   */
  stream(clientId: string): Readable {
    this.flushAcknowledged()
    return Readable.from(this.#pages(clientId, this.#nextId - 1))
  }

  *#pages(clientId: string, lastId: number): Generator<OutgoingPacket> {
    let after = 0
    for (;;) {
      this.#assertOpen()
      this.flushAcknowledged()
      const rows = this.#page.all(clientId, after, lastId, OUTGOING_PAGE_SIZE)
      for (const row of rows) {
        const packet = packetFromColumns(row)
        this.#rowOf.set(packet, row[PAGE_ROW_ID])
        yield packet
      }
      if (rows.length < OUTGOING_PAGE_SIZE) return
      after = rows[rows.length - 1][PAGE_ROW_ID]
    }
  }

  /** A page of the client's queue for an operator, after row `after`; no payload is read whole. */
  list(clientId: string, after: number, limit: number): OutgoingEntry[] {
    this.flushAcknowledged()
    return this.#list.all(clientId, after, limit).map((row) => {
      const [id, cmd, messageId, topic, qos, retain, dup, bytes, head, queuedAt, extra] = row
      if (cmd === 'pubrel') return pubrelEntry(id, messageId, queuedAt)
      const expiry = extra === null ? {} : messageExpiryOf(deserialize(extra), queuedAt)
      return {
        seq: id,
        cmd: 'publish',
        messageId,
        topic: topic ?? '',
        qos: toQoS(qos ?? 0),
        dup: dup === 1,
        retain: retain === 1,
        payloadBytes: bytes ?? 0,
        payloadHead: payloadHead(head),
        queuedAt,
        ...expiry,
      }
    })
  }

  /** Whether the client has any entry, queued or in flight. */
  has(clientId: string): boolean {
    this.flushAcknowledged()
    return this.#any.get(clientId) !== undefined
  }

  /** Entries sent and not yet acknowledged, PUBRELs included, over every client. */
  inflightCount(): number {
    return this.#inflight.count
  }

  /** Drops the client's queue, queued and in-flight entries alike. */
  discard(clientId: string): void {
    this.#discard.run(clientId)
    this.#inflight.forget(clientId)
  }
}
