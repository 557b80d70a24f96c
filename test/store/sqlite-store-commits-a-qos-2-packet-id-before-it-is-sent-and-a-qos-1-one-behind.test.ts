import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let store: SessionStore
/** A second connection to the same file: it sees only what was committed. */
let observer: Database.Database

beforeEach(async () => {
  dir = makeTempDir()
  const file = join(dir.path, 'sessions.db')
  store = openSqliteStore({ file })
  await store.setup(testBroker())
  observer = new Database(file, { readonly: true })
})
afterEach(async () => {
  observer.close()
  await store.destroy()
  dir.remove()
})

const alice = { id: 'alice' }

function committedIds(): (number | null)[] {
  return observer.prepare('SELECT message_id FROM outgoing ORDER BY id').pluck().all() as (
    | number
    | null
  )[]
}

it('resolves a QoS 2 packet id only once another connection sees it', async () => {
  await store.outgoingEnqueue({ clientId: 'alice' }, publish(1, 2))

  await store.outgoingUpdate(alice, { ...publish(1, 2), messageId: 7 })

  expect(committedIds()).toEqual([7])
})

it('resolves a QoS 1 packet id at once and commits it with the next batch', async () => {
  await store.outgoingEnqueue({ clientId: 'alice' }, publish(1))

  await store.outgoingUpdate(alice, { ...publish(1), messageId: 7 })
  expect(committedIds()).toEqual([null])

  await store.flush()
  expect(committedIds()).toEqual([7])
})
