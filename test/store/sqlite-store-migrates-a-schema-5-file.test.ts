import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import type { OutgoingPacket, SessionStore } from '../../broker/store/types.ts'
import { makeTempDir } from './temp-dir.ts'

// schema 5 is the version before in-flight rows were found in memory (version 6)
const fixture = readFileSync(new URL('./fixtures/schema-v5.sql', import.meta.url), 'utf8')

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

function writeV5File(): string {
  const file = join(dir.path, 'sessions.db')
  const db = new Database(file)
  db.exec(fixture)
  db.close()
  return file
}

async function queueOf(s: SessionStore, clientId: string): Promise<OutgoingPacket[]> {
  const entries: OutgoingPacket[] = []
  for await (const entry of s.outgoingStream({ id: clientId })) entries.push(entry)
  return entries
}

it('upgrades a schema-5 file in place: its in-flight messages keep their packet ids and are acknowledged by them', async () => {
  const file = writeV5File()
  store = openSqliteStore({ file, now: () => 1_700_000_100_000 })
  await store.setup({ id: 'broker-2', counter: 0 })
  expect(await store.queueTotals?.()).toEqual({ queued: 1, inflight: 2 })
  // resumed, both go again with their ids [MQTT-4.4.0-1]; the one never sent has none yet
  expect((await queueOf(store, 'alice')).map((p) => p.messageId)).toEqual([11, 12, undefined])
  // the PUBACK of the second ends it, and only it
  await store.outgoingAcknowledge?.({ id: 'alice' }, 12)
  expect((await queueOf(store, 'alice')).map((p) => p.messageId)).toEqual([11, undefined])
  expect(await store.queueTotals?.()).toEqual({ queued: 1, inflight: 1 })
  await store.destroy()
  store = undefined

  const db = new Database(file, { readonly: true })
  const indexes = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outgoing'")
    .pluck()
    .all()
  const rows = db.prepare('SELECT id, message_id FROM outgoing ORDER BY id').all()
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()
  db.close()
  expect(indexes).not.toContain('outgoing_by_message_id')
  // the acknowledgement reached the file
  expect(rows).toEqual([
    { id: 1, message_id: 11 },
    { id: 3, message_id: null },
  ])
  expect(version).toBe(String(SCHEMA_VERSION))
})
