import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import type { SessionStore, StoredPacket } from '../../broker/store/types.ts'
import { describeQueue, drain } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

const UPGRADED_AT = 1_700_000_000_000
const fixture = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8')

let dir: ReturnType<typeof makeTempDir>
let store: SessionStore | undefined

beforeEach(() => {
  dir = makeTempDir()
})
afterEach(async () => {
  await store?.destroy()
  store = undefined
  dir.remove()
})

function writeV1File(): string {
  const file = join(dir.path, 'sessions.db')
  const db = new Database(file)
  db.exec(fixture)
  db.close()
  return file
}

async function open(file: string): Promise<SessionStore> {
  store = openSqliteStore({ file, now: () => UPGRADED_AT })
  await store.setup({ id: 'broker-2', counter: 0 })
  return store
}

/** Columns and indexes of every table, to compare layouts. */
function layoutOf(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true })
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[]
  const layout: Record<string, unknown> = {}
  for (const table of tables) {
    const indexes = (db.pragma(`index_list(${table})`) as { name: string; partial: number }[])
      .map((index) => ({
        ...index,
        columns: db.pragma(`index_info(${index.name})`),
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
    layout[table] = { columns: db.pragma(`table_info(${table})`), indexes }
  }
  db.close()
  return layout
}

it('upgrades a schema-1 file in place, keeping everything it held', async () => {
  const file = writeV1File()
  const after = await open(file)

  const alice = { id: 'alice' }
  expect(await after.openSession('alice')).toBe(true)
  expect(await after.openSession('bob')).toBe(true)
  expect(await after.getSession('bob')).toMatchObject({
    clientId: 'bob',
    createdAt: null,
    connectedAt: null,
    disconnectedAt: null,
    dropped: 0,
    takeovers: 0,
  })
  expect(await after.subscriptionsByClient(alice)).toMatchObject([{ topic: 'sensors/#', qos: 1 }])
  expect((await after.subscriptionsByTopic('sensors/x')).map((sub) => sub.clientId)).toEqual([
    'alice',
  ])
  expect(describeQueue(await drain(after.outgoingStream(alice)))).toEqual([
    'publish:1#11',
    'publish:2',
    'publish:3',
  ])
  expect(await after.incomingGetPacket(alice, { messageId: 7 })).toMatchObject({ topic: 'up' })
  expect(await after.getWill(alice)).toMatchObject({ topic: 'bye', brokerId: 'broker-1' })
  const [retained] = await drain<StoredPacket>(after.createRetainedStream('sensors/temp'))
  expect(retained).toMatchObject({ topic: 'sensors/temp', qos: 1, brokerCounter: 5 })
  // messages queued before the upgrade count as queued since the upgrade
  expect((await after.sessionStats(['alice'])).get('alice')).toEqual({
    subscriptions: 1,
    queued: 2,
    queuedBytes: 3 + 5,
    oldestQueuedAt: UPGRADED_AT,
    inflight: 1,
    incoming: 1,
  })
})

it('gives the upgraded file the layout of a new one, and stamps the new version', async () => {
  const upgraded = writeV1File()
  await (await open(upgraded)).destroy()
  const fresh = join(dir.path, 'fresh.db')
  await (await open(fresh)).destroy()
  store = undefined

  expect(layoutOf(upgraded)).toEqual(layoutOf(fresh))
  const db = new Database(upgraded, { readonly: true })
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()
  db.close()
  expect(version).toBe(String(SCHEMA_VERSION))
})

it('reopens an upgraded file without upgrading it again', async () => {
  const file = writeV1File()
  const first = await open(file)
  await first.touchSession('alice', { disconnectedAt: UPGRADED_AT + 1 })
  await first.destroy()

  const second = await open(file)
  expect((await second.getSession('alice'))?.disconnectedAt).toBe(UPGRADED_AT + 1)
  expect((await second.sessionStats(['alice'])).get('alice')?.queued).toBe(2)
})
