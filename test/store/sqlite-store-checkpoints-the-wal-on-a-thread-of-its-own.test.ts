import { EventEmitter, once } from 'node:events'
import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { Checkpointer, type CheckpointResult } from '../../broker/store/sqlite/checkpointer.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { openDatabase } from '../../broker/store/sqlite/open.ts'
import { enqueueMany } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

// A short interval: the tests await each checkpoint's report, they do not wait out a period.
const INTERVAL_MS = 5

let dir: ReturnType<typeof makeTempDir>
let file: string
let db: Database | undefined
let checkpointer: Checkpointer | undefined

beforeEach(() => {
  dir = makeTempDir()
  file = join(dir.path, 'sessions.db')
})
afterEach(async () => {
  await checkpointer?.close()
  db?.close()
  checkpointer = undefined
  db = undefined
  dir.remove()
})

/** Commits `rows` rows of ~200 bytes in one transaction on the store's own connection. */
function commitRows(on: Database, rows: number, tag: string): void {
  const insert = on.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
  on.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`${tag}-${i}`, 'x'.repeat(200))
  })()
}

/** This process's open file descriptors on the store file, its WAL or its shared memory. */
function openHandlesOn(path: string): string[] {
  const targets: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      targets.push(readlinkSync(`/proc/self/fd/${fd}`))
    } catch {
      // closed while we looked
    }
  }
  return targets.filter((target) => target.startsWith(path))
}

/** The next checkpoint that copied the whole WAL. */
async function nextFullCheckpoint(from: EventEmitter): Promise<CheckpointResult> {
  for (;;) {
    const [result] = (await once(from, 'checkpoint')) as [CheckpointResult]
    if (result.log > 0 && result.checkpointed === result.log) return result
  }
}

it('copies committed pages into the database file from its own thread', async () => {
  db = openDatabase(file, 'normal')
  checkpointer = new Checkpointer(db, file, 'normal', INTERVAL_MS)
  commitRows(db, 2_000, 'a')
  const result = await nextFullCheckpoint(checkpointer)
  expect(result.busy).toBe(0)
  expect(result.log).toBeGreaterThan(50)
  // the store's connection only checkpoints by itself far past SQLite's default of 1,000 pages
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000)
})

it('keeps the WAL from growing: the commits after a checkpoint start it over', async () => {
  db = openDatabase(file, 'normal')
  checkpointer = new Checkpointer(db, file, 'normal', INTERVAL_MS)
  commitRows(db, 2_000, 'a')
  const first = await nextFullCheckpoint(checkpointer)
  const walBytes = statSync(`${file}-wal`).size
  commitRows(db, 2_000, 'b')
  const second = await nextFullCheckpoint(checkpointer)
  // without the restart the second would report both batches' frames, about twice the first
  expect(second.log).toBeLessThan(first.log * 1.5)
  expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(walBytes)
})

it('hands checkpointing back to the store connection when the thread fails', async () => {
  db = openDatabase(file, 'normal')
  // a file the thread cannot open: it fails at once, as a thread that died would
  checkpointer = new Checkpointer(db, join(dir.path, 'gone', 'sessions.db'), 'normal', INTERVAL_MS)
  const [err] = (await once(checkpointer, 'stopped')) as [Error | null]
  expect(err?.message).toMatch(/unable to open|directory does not exist/)
  expect(checkpointer.running).toBe(false)
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000)
})

it('closes its thread and connection with the store, leaving no WAL file and no open handle', async () => {
  const checkpoints = new EventEmitter<{ checkpoint: [CheckpointResult] }>()
  const store = openSqliteStore({
    file,
    onCheckpoint: (result) => checkpoints.emit('checkpoint', result),
  })
  await store.setup({ id: 'broker-1', counter: 0 })
  const checkpointed = nextFullCheckpoint(checkpoints)
  await enqueueMany(store, 'alice', 1, 500)
  // the thread has its connection open: it copied the queue into the file
  await checkpointed
  expect(existsSync(`${file}-wal`)).toBe(true)
  await store.destroy()
  expect(openHandlesOn(file)).toEqual([])
  expect(existsSync(`${file}-wal`)).toBe(false)
  const reopened = openSqliteStore({ file })
  await reopened.setup({ id: 'broker-2', counter: 0 })
  expect((await reopened.queuedTotals('alice')).count).toBe(500)
  await reopened.destroy()
})

it('ends its thread on close', async () => {
  db = openDatabase(file, 'normal')
  checkpointer = new Checkpointer(db, file, 'normal', INTERVAL_MS)
  commitRows(db, 100, 'a')
  await nextFullCheckpoint(checkpointer)
  await checkpointer.close()
  expect(checkpointer.running).toBe(false)
  expect(openHandlesOn(file).length).toBeGreaterThan(0) // the store's own connection only
  db.close()
  db = undefined
  expect(openHandlesOn(file)).toEqual([])
})
