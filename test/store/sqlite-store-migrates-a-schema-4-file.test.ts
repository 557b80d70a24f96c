import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import type { SessionStore } from '../../broker/store/types.ts'
import { makeTempDir } from './temp-dir.ts'

// schema 4 is the version before MQTT 5's Session Expiry Interval (version 5)
const fixture = readFileSync(new URL('./fixtures/schema-v4.sql', import.meta.url), 'utf8')

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

function writeV4File(): string {
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

it('upgrades a schema-4 file in place: its sessions stay MQTT 3.1.1 ones, an MQTT 5 one ends off the new index', async () => {
  const file = writeV4File()
  const after = await open(file)
  // what was there is 3.1.1: no interval, still found by --session-expiry's query
  expect(await after.getSession('alice')).not.toHaveProperty('sessionExpiry')
  expect(await after.idleSessions(1_700_000_001_000, 10)).toEqual([
    { clientId: 'alice', disconnectedAt: 1_700_000_000_500 },
  ])
  expect((await after.sessionStats(['alice'])).get('alice')).toMatchObject({ queued: 2 })
  expect(await after.nextSessionEnd()).toBeNull()
  // bob comes back over MQTT 5 and leaves with a 60 s interval
  await after.touchSession('bob', { sessionExpiry: 60, disconnectedAt: 1_700_000_001_000 })
  await after.flush()
  expect(await after.nextSessionEnd()).toBe(1_700_000_061_000)
  expect(await after.endedSessions(1_700_000_061_000, 10)).toEqual([
    { clientId: 'bob', disconnectedAt: 1_700_000_001_000, sessionExpiry: 60 },
  ])
  await after.destroy()
  store = undefined

  const db = new Database(file, { readonly: true })
  const plan = db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT client_id FROM sessions
       WHERE session_expiry < 4294967295 AND disconnected_at + session_expiry * 1000 <= 1
       ORDER BY disconnected_at + session_expiry * 1000 LIMIT 500`,
    )
    .all()
    .map((row) => (row as { detail: string }).detail)
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()
  db.close()
  // read off the index in order: no scan or sort of every session
  expect(plan.join('; ')).toContain('sessions_by_end')
  expect(plan.join('; ')).not.toContain('TEMP B-TREE')
  expect(version).toBe(String(SCHEMA_VERSION))
})
