import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import type { SessionStore, StoredPacket } from '../../broker/store/types.ts'
import { describeQueue, drain } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

const UPGRADED_AT = 1_700_000_100_000
// schema 2 is the version before the dashboard's views were kept (version 3)
const fixture = readFileSync(new URL('./fixtures/schema-v2.sql', import.meta.url), 'utf8')

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

function writeV2File(): string {
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

function sqlOf(file: string): { tables: unknown[]; version: unknown } {
  const db = new Database(file, { readonly: true })
  // SQLite keeps each object's CREATE text: equal text, equal layout
  const tables = db
    .prepare(
      "SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
  const columns = tables.map((t) => db.pragma(`table_info(${(t as { name: string }).name})`))
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()
  db.close()
  return { tables: [tables, columns], version }
}

it('upgrades a schema-2 file in place, keeping every session, queue, Will and time it held', async () => {
  const after = await open(writeV2File())
  const alice = { id: 'alice' }

  expect(await after.getSession('alice')).toEqual({
    clientId: 'alice',
    protocolVersion: 4,
    keepalive: 30,
    username: 'al',
    remoteAddress: '127.0.0.1:5000',
    createdAt: 1_700_000_000_000,
    connectedAt: 1_700_000_000_100,
    disconnectedAt: 1_700_000_000_500,
    lastActivity: 1_700_000_000_500,
    dropped: 2,
    takeovers: 1,
  })
  expect((await after.getSession('bob'))?.disconnectedAt).toBeNull()
  expect(await after.subscriptionsByClient(alice)).toMatchObject([{ topic: 'sensors/#', qos: 1 }])
  expect(describeQueue(await drain(after.outgoingStream(alice)))).toEqual([
    'publish:1#11',
    'publish:2',
    'publish:3',
  ])
  expect(await after.incomingGetPacket(alice, { messageId: 7 })).toMatchObject({ topic: 'up' })
  expect(await after.getWill(alice)).toMatchObject({ topic: 'bye', brokerId: 'broker-1' })
  const [retained] = await drain<StoredPacket>(after.createRetainedStream('sensors/temp'))
  expect(retained).toMatchObject({ topic: 'sensors/temp', qos: 1, brokerCounter: 5 })
  // the times of version 2 are kept, not replaced by the upgrade's
  expect((await after.sessionStats(['alice'])).get('alice')).toEqual({
    subscriptions: 1,
    queued: 2,
    queuedBytes: 3 + 5,
    oldestQueuedAt: 1_700_000_000_700,
    inflight: 1,
    incoming: 1,
  })
})

it('gives the upgraded file a table of dashboard views, empty and in use', async () => {
  const file = writeV2File()
  const first = await open(file)
  expect(await first.loadDashboardViews()).toEqual([])
  await first.saveDashboardViews([{ id: 'viewer-1', lastSeen: UPGRADED_AT, data: '{"v":1}' }])
  await first.destroy()

  const second = await open(file)
  expect(await second.loadDashboardViews()).toEqual([
    { id: 'viewer-1', lastSeen: UPGRADED_AT, data: '{"v":1}' },
  ])
  expect((await second.sessionStats(['alice'])).get('alice')?.queued).toBe(2)
})

it('gives the upgraded file the layout of a new one, and stamps the new version', async () => {
  const upgraded = writeV2File()
  await (await open(upgraded)).destroy()
  const fresh = join(dir.path, 'fresh.db')
  await (await open(fresh)).destroy()
  store = undefined

  expect(sqlOf(upgraded)).toEqual(sqlOf(fresh))
  expect(sqlOf(upgraded).version).toBe(String(SCHEMA_VERSION))
})
