import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import type { SessionStore } from '../../broker/store/types.ts'
import { makeTempDir } from './temp-dir.ts'

// schema 3 is the version before the session list's sort indexes (version 4)
const fixture = readFileSync(new URL('./fixtures/schema-v3.sql', import.meta.url), 'utf8')

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

function writeV3File(): string {
  const file = join(dir.path, 'sessions.db')
  const db = new Database(file)
  db.exec(fixture)
  db.close()
  return file
}

async function open(file: string): Promise<SessionStore> {
  store = openSqliteStore({ file, now: () => 1_700_000_100_000 })
  await store.setup({ id: 'broker-2', counter: 0 })
  return store
}

it('upgrades a schema-3 file in place: its sessions sorted by time off the new indexes, its views kept', async () => {
  const file = writeV3File()
  const after = await open(file)
  const sorted = await after.listSessionsSorted({ by: 'lastActivity', order: 'desc', limit: 10 })
  expect(sorted.map((row) => [row.record.clientId, row.value])).toEqual([
    ['alice', 1_700_000_000_500],
    ['bob', 1_700_000_000_200],
  ])
  expect(await after.loadDashboardViews()).toEqual([
    { id: 'viewer-1', lastSeen: 1_700_000_000_900, data: '{"v":1}' },
  ])
  await after.destroy()
  store = undefined

  const db = new Database(file, { readonly: true })
  const indexes = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'sessions' ORDER BY name",
    )
    .pluck()
    .all()
  const plan = db
    .prepare(
      'EXPLAIN QUERY PLAN SELECT * FROM sessions ORDER BY coalesce(last_activity, -1) DESC, client_id DESC LIMIT 51',
    )
    .all()
    .map((row) => (row as { detail: string }).detail)
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()
  db.close()
  expect(indexes).toEqual(
    expect.arrayContaining(['sessions_by_connected_at', 'sessions_by_last_activity']),
  )
  // walked in index order: no sort of every session for a page
  expect(plan.join('; ')).toContain('sessions_by_last_activity')
  expect(plan.join('; ')).not.toContain('TEMP B-TREE')
  expect(version).toBe(String(SCHEMA_VERSION))
})
