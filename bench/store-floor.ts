/**
 * `node --import tsx bench/store-floor.ts [--messages 100000] [--runs 3] [--sequences a,b]`:
 * what the durable SQLite store alone costs per message, with no broker, no network and no aedes
 * around it. The `drain` and `live` workloads of `npm run bench` spend at least this on the
 * broker's one thread, so it bounds what any broker built on this store can reach there.
 *
 * Two sequences, each over `--messages` messages for one client among 100,000 rows of other
 * clients, with the transactions the broker uses:
 *
 * - `drain`: the queue read a page of 256 at a time; each page's packet ids committed together
 *   with the previous page's acknowledgements (as a resume numbers a page per commit and the
 *   acknowledgements are write-behind).
 * - `live`: per window of 100 (a publisher's window), the messages queued in one commit (with the
 *   previous window's acknowledgements), then given their packet ids in another.
 *
 * Each at three depths:
 *
 * - `store-…`: SessionLab's store through its API (`outgoingStream`, `outgoingEnqueueCombi`,
 *   `outgoingUpdate`, `outgoingAcknowledge`, `flush`): a promise per write, committed per batch.
 * - `queues-…`: the store's table code (`OutgoingQueues`) and schema straight through
 *   better-sqlite3, one `db.transaction` per commit: its SQL without the write batch.
 * - `rows-…`: the same row operations on the least a row-per-message layout needs: one table
 *   clustered on (client_id, id), no other index, every row addressed by its key, straight through
 *   better-sqlite3: the least B-tree work a queue with a row per message does.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../broker/store/sqlite/index.ts'
import { openDatabase } from '../broker/store/sqlite/open.ts'
import { OutgoingQueues } from '../broker/store/sqlite/outgoing.ts'
import type { SessionStore, StoredPacket } from '../broker/store/types.ts'
import { describeMachine } from './machine.ts'
import { median } from './stats.ts'

const DEPTHS = ['store', 'queues', 'rows'] as const
const SEQUENCE_NAMES = DEPTHS.flatMap((depth) => [`${depth}-drain`, `${depth}-live`])
const USAGE = `store-floor.ts [--messages N] [--runs N] [--sequences ${SEQUENCE_NAMES.join(',')}]`

function usage(message: string): never {
  console.error(`${message}\nusage: ${USAGE}`)
  process.exit(2)
}

let values: { messages: string; runs: string; sequences: string }
try {
  values = parseArgs({
    options: {
      messages: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '3' },
      sequences: { type: 'string', default: SEQUENCE_NAMES.join(',') },
    },
  }).values
} catch (err) {
  usage((err as Error).message)
}
const MESSAGES = Number(values.messages)
const RUNS = Number(values.runs)
const CHOSEN = values.sequences.split(',')
for (const [name, value] of [
  ['--messages', MESSAGES],
  ['--runs', RUNS],
] as const) {
  if (!Number.isInteger(value) || value < 1) usage(`${name} must be a positive integer`)
}
for (const name of CHOSEN) {
  if (!SEQUENCE_NAMES.includes(name)) usage(`--sequences: unknown sequence ${name}`)
}

// As in the workloads: a 64-byte payload; other clients' rows so that lookups are not trivial.
const PAYLOAD = Buffer.alloc(64, 7)
const OTHER_ROWS = 100_000
const RESUME_PAGE = 256
const WINDOW = 100
const CLIENT = 'floor-sub'
const packetId = (k: number) => (k % 65535) + 1

function packet(counter: number, messageId?: number): StoredPacket {
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
// Built before the clock starts: a broker has its packets already.
const QUEUED = Array.from({ length: MESSAGES }, (_, k) => packet(k))
const NUMBERED = Array.from({ length: MESSAGES }, (_, k) => packet(k, packetId(k)))

/** A queued message as a depth finds it again: its row id where the depth has one. */
interface Entry {
  rowId: number
  packet: StoredPacket
}

/** One depth of the store, as the sequences use it; `client`'s queue starts empty. */
interface Depth {
  /** Runs `work` in one transaction; settles once it committed. */
  commit(work: () => void): Promise<void> | void
  /** Queues message k (QUEUED[k]) for the client. */
  queue(k: number): void
  /** Gives a queued entry the packet id `numbered` carries. */
  number(entry: Entry, numbered: StoredPacket): void
  acknowledge(entry: Entry, messageId: number): void
  /** The client's queue from the start, a page at a time. */
  pages(): AsyncIterable<Entry[]>
  isEmpty(): boolean
  close(): Promise<void> | void
}

async function* paged(packets: AsyncIterable<unknown>): AsyncGenerator<Entry[]> {
  let page: Entry[] = []
  for await (const entry of packets) {
    page.push({ rowId: 0, packet: entry as StoredPacket })
    if (page.length === RESUME_PAGE) {
      yield page
      page = []
    }
  }
  if (page.length > 0) yield page
}

async function storeDepth(file: string): Promise<Depth> {
  const store: SessionStore = openSqliteStore({ file })
  const { outgoingAcknowledge } = store
  if (!outgoingAcknowledge) throw new Error('the SQLite store has no outgoingAcknowledge')
  await store.setup({ id: 'floor' } as never)
  for (let i = 0; i < OTHER_ROWS; i += 1000) {
    for (let k = i; k < i + 1000; k++) {
      store.outgoingEnqueue({ clientId: `other-${k % 1000}` }, packet(-k))
    }
    await store.flush()
  }
  const client = { id: CLIENT }
  return {
    commit(work) {
      work()
      return store.flush()
    },
    queue: (k) => store.outgoingEnqueueCombi([{ clientId: CLIENT }], QUEUED[k]),
    number: (_, numbered) => store.outgoingUpdate(client, numbered),
    acknowledge: (_, messageId) => outgoingAcknowledge.call(store, client, messageId),
    pages: () => paged(store.outgoingStream(client)),
    isEmpty: () => store.hasOutgoing?.(CLIENT) === false,
    close: () => store.destroy(),
  }
}

function queuesDepth(file: string): Depth {
  const db = openDatabase(file, 'normal', Date.now)
  const queues = new OutgoingQueues(db, () => {})
  db.transaction(() => {
    for (let k = 0; k < OTHER_ROWS; k++) queues.enqueue([`other-${k % 1000}`], packet(-k))
  })()
  return {
    commit: (work) => db.transaction(work)(),
    queue: (k) => queues.enqueue([CLIENT], QUEUED[k]),
    number: (_, numbered) => queues.update(CLIENT, numbered),
    acknowledge: (_, messageId) => queues.acknowledge(CLIENT, messageId),
    pages: () => paged(queues.stream(CLIENT)),
    isEmpty: () => !queues.has(CLIENT),
    close: () => {
      db.close()
    },
  }
}

const COLUMNS = 'broker_id, broker_counter, message_id, cmd, topic, payload, qos, retain, dup'

function rowsDepth(file: string): Depth {
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
    for (let k = 0; k < OTHER_ROWS; k++) add(`other-${k % 1000}`, k + 1, packet(-k))
  })()
  const firstId = OTHER_ROWS + 1
  async function* pages(): AsyncGenerator<Entry[]> {
    let after = 0
    for (;;) {
      const rows = page.all(CLIENT, after, RESUME_PAGE) as unknown[][]
      if (rows.length === 0) return
      after = rows[rows.length - 1][9] as number
      yield rows.map((row) => ({ rowId: row[9] as number, packet: QUEUED[row[1] as number] }))
    }
  }
  return {
    commit: (work) => db.transaction(work)(),
    queue: (k) => add(CLIENT, firstId + k, QUEUED[k]),
    number: (entry, numbered) => setPacketId.run(numbered.messageId, CLIENT, entry.rowId),
    acknowledge: (entry) => remove.run(CLIENT, entry.rowId),
    pages,
    isEmpty: () => count.get(CLIENT) === 0,
    close: () => {
      db.close()
    },
  }
}

/** µs per message of `body`, which handles `MESSAGES` messages. */
async function timed(body: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint()
  await body()
  return Number(process.hrtime.bigint() - start) / 1e3 / MESSAGES
}

async function drain(depth: Depth): Promise<number> {
  for (let i = 0; i < MESSAGES; i += 1000) {
    await depth.commit(() => {
      for (let k = i; k < Math.min(i + 1000, MESSAGES); k++) depth.queue(k)
    })
  }
  return timed(async () => {
    let sent = 0
    let unacknowledged: StoredPacket[] = []
    let previous: Entry[] = []
    for await (const page of depth.pages()) {
      const numbered = page.map((entry) => ({ ...entry.packet, messageId: packetId(sent++) }))
      await depth.commit(() => {
        previous.forEach((entry, i) => depth.acknowledge(entry, unacknowledged[i].messageId ?? 0))
        page.forEach((entry, i) => depth.number(entry, numbered[i]))
      })
      previous = page
      unacknowledged = numbered
    }
    await depth.commit(() => {
      previous.forEach((entry, i) => depth.acknowledge(entry, unacknowledged[i].messageId ?? 0))
    })
    if (sent !== MESSAGES) throw new Error(`read ${sent} of ${MESSAGES} queued messages`)
  })
}

async function live(depth: Depth): Promise<number> {
  const firstRow = OTHER_ROWS + 1
  const entry = (k: number): Entry => ({ rowId: firstRow + k, packet: QUEUED[k] })
  return timed(async () => {
    let previous = { from: 0, to: 0 }
    for (let from = 0; from < MESSAGES; from += WINDOW) {
      const to = Math.min(from + WINDOW, MESSAGES)
      await depth.commit(() => {
        for (let k = previous.from; k < previous.to; k++) depth.acknowledge(entry(k), packetId(k))
        for (let k = from; k < to; k++) depth.queue(k)
      })
      await depth.commit(() => {
        for (let k = from; k < to; k++) depth.number(entry(k), NUMBERED[k])
      })
      previous = { from, to }
    }
    await depth.commit(() => {
      for (let k = previous.from; k < previous.to; k++) depth.acknowledge(entry(k), packetId(k))
    })
  })
}

const OPEN: Record<(typeof DEPTHS)[number], (file: string) => Depth | Promise<Depth>> = {
  store: storeDepth,
  queues: queuesDepth,
  rows: rowsDepth,
}
const SEQUENCES = { drain, live }

/** One run on a fresh file; fails if the client's queue is not empty at the end. */
async function runOnce(name: string): Promise<number> {
  const [depthName, sequenceName] = name.split('-') as [keyof typeof OPEN, keyof typeof SEQUENCES]
  const dir = mkdtempSync(join(tmpdir(), 'store-floor-'))
  try {
    const depth = await OPEN[depthName](join(dir, 'floor.db'))
    try {
      const us = await SEQUENCES[sequenceName](depth)
      if (!depth.isEmpty()) throw new Error(`${name}: the client's queue is not empty at the end`)
      return us
    } finally {
      await depth.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const machine = describeMachine()
console.log(
  `Store floor: ${MESSAGES.toLocaleString('en-US')} messages, ${RUNS} runs, median µs per message` +
    ` (${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node})`,
)
console.log('  sequence       µs/msg   runs                           msg/s with nothing else')
for (const name of SEQUENCE_NAMES.filter((known) => CHOSEN.includes(known))) {
  const runs: number[] = []
  for (let r = 0; r < RUNS; r++) runs.push(await runOnce(name))
  const us = median(runs)
  const list = runs.map((x) => x.toFixed(2)).join(' ')
  const rate = Math.round(1e6 / us).toLocaleString('en-US')
  console.log(
    `  ${name.padEnd(13)} ${us.toFixed(2).padStart(7)}   ${list.padEnd(30)} ${rate.padStart(9)}`,
  )
}
