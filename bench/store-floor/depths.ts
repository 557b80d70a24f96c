import Database from 'better-sqlite3'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { openDatabase } from '../../broker/store/sqlite/open.ts'
import { OutgoingQueues } from '../../broker/store/sqlite/outgoing.ts'
import type { SessionStore, StoredPacket } from '../../broker/store/types.ts'

// As in the workloads: a 64-byte payload; other clients' rows so that lookups are not trivial.
const PAYLOAD = Buffer.alloc(64, 7)
/** Rows of other clients in the file by default, as in a store with many sessions. */
export const OTHER_ROWS = 100_000
/** Queued messages read per page, as a resume reads them. */
export const RESUME_PAGE = 256
/** The client whose queue the sequences work on. */
export const CLIENT = 'floor-sub'

/** Message `counter` as the broker queues it; with `messageId`, as it numbers it. */
export function floorPacket(counter: number, messageId?: number): StoredPacket {
  const fixed = { cmd: 'publish', topic: 'bench/floor', payload: PAYLOAD, qos: 1 } as const
  return {
    ...fixed,
    retain: false,
    dup: false,
    brokerId: 'floor',
    brokerCounter: counter,
    messageId,
  }
}

/**
 * One depth of the store, as the sequences use it. It opens on a fresh file holding other
 * clients' rows; the client's queue starts empty.
 */
export interface Depth {
  /** Runs `work` in one transaction; settles once it committed. */
  commit(work: () => void): Promise<void> | void
  /** Queues a message for the client; its brokerCounter is its index in the sequence. */
  queue(packet: StoredPacket): void
  /** Gives a queued message the packet id `numbered` (the same message) carries. */
  number(numbered: StoredPacket): void
  acknowledge(numbered: StoredPacket): void
  /** The client's queue from the start, a page at a time. */
  pages(): AsyncIterable<StoredPacket[]>
  isEmpty(): boolean | Promise<boolean>
  close(): Promise<void> | void
}

/** Groups a stream of queue entries into pages of {@link RESUME_PAGE}. */
export async function* paged(packets: AsyncIterable<unknown>): AsyncGenerator<StoredPacket[]> {
  let page: StoredPacket[] = []
  for await (const entry of packets) {
    page.push(entry as StoredPacket)
    if (page.length === RESUME_PAGE) {
      yield page
      page = []
    }
  }
  if (page.length > 0) yield page
}

/** SessionLab's store through its API: a promise per write, committed per batch. */
export async function storeDepth(file: string, otherRows = OTHER_ROWS): Promise<Depth> {
  const store: SessionStore = openSqliteStore({ file })
  const { outgoingAcknowledge } = store
  if (!outgoingAcknowledge) throw new Error('the SQLite store has no outgoingAcknowledge')
  await store.setup({ id: 'floor' })
  for (let i = 0; i < otherRows; i += 1000) {
    for (let k = i; k < Math.min(i + 1000, otherRows); k++) {
      store.outgoingEnqueue({ clientId: `other-${k % 1000}` }, floorPacket(-k))
    }
    await store.flush()
  }
  const client = { id: CLIENT }
  return {
    commit(work) {
      work()
      return store.flush()
    },
    queue: (packet) => store.outgoingEnqueueCombi([{ clientId: CLIENT }], packet),
    number: (numbered) => store.outgoingUpdate(client, numbered),
    acknowledge: (numbered) => outgoingAcknowledge.call(store, client, numbered.messageId ?? 0),
    pages: () => paged(store.outgoingStream(client)),
    isEmpty: () => store.hasOutgoing?.(CLIENT) === false,
    close: () => store.destroy(),
  }
}

/** The store's table code and schema straight through better-sqlite3, without the write batch. */
export function queuesDepth(file: string, otherRows = OTHER_ROWS): Depth {
  const db = openDatabase(file, 'normal', Date.now)
  const queues = new OutgoingQueues(db, () => {})
  db.transaction(() => {
    for (let k = 0; k < otherRows; k++) queues.enqueue([`other-${k % 1000}`], floorPacket(-k))
  })()
  return {
    commit: (work) => db.transaction(work)(),
    queue: (packet) => queues.enqueue([CLIENT], packet),
    number: (numbered) => queues.update(CLIENT, numbered),
    acknowledge: (numbered) => queues.acknowledge(CLIENT, numbered.messageId ?? 0),
    pages: () => paged(queues.stream(CLIENT)),
    isEmpty: () => !queues.has(CLIENT),
    close: () => {
      db.close()
    },
  }
}

const COLUMNS = 'broker_id, broker_counter, message_id, cmd, topic, payload, qos, retain, dup'
type Row = [string, number, number | null, string, string, Buffer, number, number, number, number]

/**
 * The least B-tree work a queue with a row per message does: one table clustered on
 * (client_id, id), no other index, every row addressed by its key.
 */
export function rowsDepth(file: string, otherRows = OTHER_ROWS): Depth {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE outgoing (client_id TEXT NOT NULL, id INTEGER NOT NULL,
    broker_id TEXT, broker_counter INTEGER, message_id INTEGER, cmd TEXT NOT NULL, topic TEXT,
    payload BLOB, qos INTEGER, retain INTEGER, dup INTEGER,
    PRIMARY KEY (client_id, id)) WITHOUT ROWID`)
  const insert = db.prepare(
    `INSERT INTO outgoing (client_id, id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const setPacketId = db.prepare(
    'UPDATE outgoing SET message_id = ? WHERE client_id = ? AND id = ?',
  )
  const remove = db.prepare('DELETE FROM outgoing WHERE client_id = ? AND id = ?')
  const page = db
    .prepare(
      `SELECT ${COLUMNS}, id FROM outgoing WHERE client_id = ? AND id > ? ORDER BY id LIMIT ?`,
    )
    .raw()
  const count = db.prepare('SELECT count(*) FROM outgoing WHERE client_id = ?').pluck()
  const add = (clientId: string, id: number, p: StoredPacket) => {
    insert.run(clientId, id, 'floor', p.brokerCounter, null, 'publish', p.topic, p.payload, 1, 0, 0)
  }
  db.transaction(() => {
    for (let k = 0; k < otherRows; k++) add(`other-${k % 1000}`, k + 1, floorPacket(-k))
  })()
  // Message k's row, as a queue that addresses rows by key would keep it in memory.
  const rowOf = (packet: StoredPacket) => otherRows + 1 + (packet.brokerCounter ?? 0)
  async function* pages(): AsyncGenerator<StoredPacket[]> {
    let after = 0
    for (;;) {
      const rows = page.all(CLIENT, after, RESUME_PAGE) as Row[]
      if (rows.length === 0) return
      after = rows[rows.length - 1][9]
      yield rows.map(([brokerId, brokerCounter, , cmd, topic, payload]) => {
        return { cmd, topic, payload, qos: 1, retain: false, dup: false, brokerId, brokerCounter }
      })
    }
  }
  return {
    commit: (work) => db.transaction(work)(),
    queue: (packet) => add(CLIENT, rowOf(packet), packet),
    number: (numbered) => setPacketId.run(numbered.messageId, CLIENT, rowOf(numbered)),
    acknowledge: (numbered) => remove.run(CLIENT, rowOf(numbered)),
    pages,
    isEmpty: () => count.get(CLIENT) === 0,
    close: () => {
      db.close()
    },
  }
}
