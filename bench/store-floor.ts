/**
 * `node --import tsx bench/store-floor.ts [--messages 100000] [--runs 3] [--sequences a,b]`:
 * what the durable SQLite store alone costs per message, with no broker, no network and no aedes
 * around it. The `drain` and `live` workloads of `npm run bench` spend at least this on the
 * broker's one thread, so it bounds what any broker built on this store can reach there.
 *
 * Four sequences, each over `--messages` messages queued for one client among other clients' rows:
 *
 * - `store-drain`: SessionLab's store as a resume uses it: the queue streamed a page at a time,
 *   each message given its packet id (`outgoingUpdate`), committed per 256 as `resumeStream`
 *   does, then acknowledged (`outgoingAcknowledge`).
 * - `store-live`: as a live QoS 1 delivery to an online persistent subscriber uses it: queued
 *   (`outgoingEnqueueCombi`), given its packet id, acknowledged; committed per 100 (a window).
 * - `rows-drain`, `rows-live`: the same row operations (read, set the packet id, delete; insert,
 *   set, delete) in the same transactions, on the least a row-per-message layout needs: one table
 *   clustered on (client_id, id), no other index, every row addressed by its primary key, called
 *   straight through better-sqlite3: the least B-tree work a queue with a row per message does.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../broker/store/sqlite/index.ts'
import type { SessionStore, StoredPacket } from '../broker/store/types.ts'
import { describeMachine } from './machine.ts'
import { median } from './stats.ts'

const SEQUENCE_NAMES = ['store-drain', 'store-live', 'rows-drain', 'rows-live']

function usage(message: string): never {
  console.error(`${message}\nusage: ${USAGE}`)
  process.exit(2)
}
const USAGE =
  'store-floor.ts [--messages N] [--runs N] [--sequences store-drain,store-live,rows-drain,rows-live]'

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
const packetId = (i: number) => (i % 65535) + 1
const RESUME_PAGE = 256
const WINDOW = 100
const CLIENT = { id: 'floor-sub' }

function packet(counter: number, messageId?: number): StoredPacket {
  const p = {
    cmd: 'publish',
    topic: 'bench/floor',
    payload: PAYLOAD,
    qos: 1,
    retain: false,
  } as const
  return { ...p, dup: false, brokerId: 'floor', brokerCounter: counter, messageId }
}
// Built before the clock starts: a broker has its packets already.
const QUEUED = Array.from({ length: MESSAGES }, (_, k) => packet(k))
const NUMBERED = Array.from({ length: MESSAGES }, (_, k) => packet(k, packetId(k)))

/** µs per message of `body`, which handles `MESSAGES` messages. */
async function timed(body: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint()
  await body()
  return Number(process.hrtime.bigint() - start) / 1e3 / MESSAGES
}

type Run = (store: SessionStore, acknowledge: (messageId: number) => unknown) => Promise<number>

/** Runs `run` on a fresh store file holding other clients' rows; checks it left no queue behind. */
async function withStore(run: Run): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'store-floor-'))
  const store = openSqliteStore({ file: join(dir, 'sessionlab.db') })
  try {
    const { outgoingAcknowledge } = store
    if (!outgoingAcknowledge) throw new Error('the SQLite store has no outgoingAcknowledge')
    await store.setup({ id: 'floor' } as never)
    for (let i = 0; i < OTHER_ROWS; i += 1000) {
      for (let k = i; k < i + 1000; k++)
        store.outgoingEnqueue({ clientId: `other-${k % 1000}` }, packet(-k))
      await store.flush()
    }
    const us = await run(store, (messageId) => outgoingAcknowledge.call(store, CLIENT, messageId))
    if (store.hasOutgoing?.(CLIENT.id) !== false)
      throw new Error(`${CLIENT.id}'s queue is not empty`)
    return us
  } finally {
    await store.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function queue(store: SessionStore): Promise<void> {
  for (let i = 0; i < MESSAGES; i += 1000) {
    for (let k = i; k < Math.min(i + 1000, MESSAGES); k++) {
      store.outgoingEnqueueCombi([{ clientId: CLIENT.id }], QUEUED[k])
    }
    await store.flush()
  }
}

const storeDrain = () =>
  withStore(async (store, acknowledge) => {
    await queue(store)
    return timed(async () => {
      let page: StoredPacket[] = []
      let sent = 0
      const send = async () => {
        const ids = page.map(() => packetId(sent++))
        page.forEach((entry, k) => store.outgoingUpdate(CLIENT, { ...entry, messageId: ids[k] }))
        await store.flush()
        for (const id of ids) acknowledge(id)
        page = []
      }
      for await (const entry of store.outgoingStream(CLIENT)) {
        page.push(entry as StoredPacket)
        if (page.length === RESUME_PAGE) await send()
      }
      await send()
      await store.flush()
      if (sent !== MESSAGES) throw new Error(`streamed ${sent} of ${MESSAGES}`)
    })
  })

const storeLive = () =>
  withStore((store, acknowledge) =>
    timed(async () => {
      for (let i = 0; i < MESSAGES; i += WINDOW) {
        const end = Math.min(i + WINDOW, MESSAGES)
        for (let k = i; k < end; k++)
          store.outgoingEnqueueCombi([{ clientId: CLIENT.id }], QUEUED[k])
        await store.flush()
        for (let k = i; k < end; k++) {
          store.outgoingUpdate(CLIENT, NUMBERED[k])
        }
        await store.flush()
        for (let k = i; k < end; k++) acknowledge(packetId(k))
      }
      await store.flush()
    }),
  )

const COLUMNS = 'broker_id, broker_counter, message_id, cmd, topic, payload, qos, retain, dup'

function withRows(run: (db: Database.Database) => number): number {
  const dir = mkdtempSync(join(tmpdir(), 'store-floor-'))
  const db = new Database(join(dir, 'rows.db'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(`CREATE TABLE outgoing (client_id TEXT NOT NULL, id INTEGER NOT NULL,
      broker_id TEXT, broker_counter INTEGER, message_id INTEGER, cmd TEXT NOT NULL, topic TEXT,
      payload BLOB, qos INTEGER, retain INTEGER, dup INTEGER,
      PRIMARY KEY (client_id, id)) WITHOUT ROWID`)
    const insert = db.prepare(
      `INSERT INTO outgoing (client_id, id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    db.transaction(() => {
      for (let k = 0; k < OTHER_ROWS; k++) {
        insert.run(
          `other-${k % 1000}`,
          k + 1,
          'floor',
          -k,
          null,
          'publish',
          'bench/floor',
          PAYLOAD,
          1,
          0,
          0,
        )
      }
    })()
    const us = run(db)
    const left = db
      .prepare('SELECT count(*) FROM outgoing WHERE client_id = ?')
      .pluck()
      .get(CLIENT.id)
    if (left !== 0) throw new Error(`${CLIENT.id} has ${left} rows left`)
    return us
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function rowStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO outgoing (client_id, id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    number: db.prepare('UPDATE outgoing SET message_id = ? WHERE client_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM outgoing WHERE client_id = ? AND id = ?'),
    page: db
      .prepare(
        `SELECT ${COLUMNS}, id FROM outgoing WHERE client_id = ? AND id > ? ORDER BY id LIMIT ?`,
      )
      .raw(),
  }
}

const FIRST_ID = OTHER_ROWS + 1

const rowsDrain = () =>
  withRows((db) => {
    const s = rowStatements(db)
    for (let i = 0; i < MESSAGES; i += 1000) {
      db.transaction(() => {
        for (let k = i; k < Math.min(i + 1000, MESSAGES); k++) {
          s.insert.run(
            CLIENT.id,
            FIRST_ID + k,
            'floor',
            k,
            null,
            'publish',
            'bench/floor',
            PAYLOAD,
            1,
            0,
            0,
          )
        }
      })()
    }
    return timedSync(() => {
      let after = 0
      let sent = 0
      for (;;) {
        const rows = s.page.all(CLIENT.id, after, RESUME_PAGE) as unknown[][]
        if (rows.length === 0) break
        const ids = rows.map((row) => row[9] as number)
        db.transaction(() => {
          for (const id of ids) s.number.run(packetId(sent++), CLIENT.id, id)
        })()
        db.transaction(() => {
          for (const id of ids) s.remove.run(CLIENT.id, id)
        })()
        after = ids[ids.length - 1]
      }
      if (sent !== MESSAGES) throw new Error(`read ${sent} of ${MESSAGES}`)
    })
  })

const rowsLive = () =>
  withRows((db) => {
    const s = rowStatements(db)
    return timedSync(() => {
      for (let i = 0; i < MESSAGES; i += WINDOW) {
        const end = Math.min(i + WINDOW, MESSAGES)
        db.transaction(() => {
          for (let k = i; k < end; k++) {
            s.insert.run(
              CLIENT.id,
              FIRST_ID + k,
              'floor',
              k,
              null,
              'publish',
              'bench/floor',
              PAYLOAD,
              1,
              0,
              0,
            )
          }
        })()
        db.transaction(() => {
          for (let k = i; k < end; k++) s.number.run(packetId(k), CLIENT.id, FIRST_ID + k)
        })()
        db.transaction(() => {
          for (let k = i; k < end; k++) s.remove.run(CLIENT.id, FIRST_ID + k)
        })()
      }
    })
  })

function timedSync(body: () => void): number {
  const start = process.hrtime.bigint()
  body()
  return Number(process.hrtime.bigint() - start) / 1e3 / MESSAGES
}

const SEQUENCES: [string, () => Promise<number> | number][] = [
  ['store-drain', storeDrain],
  ['store-live', storeLive],
  ['rows-drain', rowsDrain],
  ['rows-live', rowsLive],
]

const machine = describeMachine()
console.log(
  `Store floor: ${MESSAGES.toLocaleString('en-US')} messages, ${RUNS} runs, median µs per message` +
    ` (${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node})`,
)
console.log('  sequence     µs/msg   runs                 msg/s with nothing else')
for (const [name, sequence] of SEQUENCES.filter(([known]) => CHOSEN.includes(known))) {
  const runs: number[] = []
  for (let r = 0; r < RUNS; r++) runs.push(await sequence())
  const us = median(runs)
  const list = runs.map((x) => x.toFixed(2)).join(' ')
  console.log(
    `  ${name.padEnd(11)} ${us.toFixed(2).padStart(7)}   ${list.padEnd(20)} ${Math.round(1e6 / us)
      .toLocaleString('en-US')
      .padStart(9)}`,
  )
}
