import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { OutgoingPacket, SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let file: string
let store: SessionStore
/** A second connection to the same file: it sees only what was committed. */
let observer: Database.Database

beforeEach(async () => {
  dir = makeTempDir()
  file = join(dir.path, 'sessions.db')
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

async function streamed(): Promise<OutgoingPacket[]> {
  const entries: OutgoingPacket[] = []
  for await (const entry of store.outgoingStream(alice)) entries.push(entry as OutgoingPacket)
  return entries
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

it('acknowledges a streamed entry it numbered by its row, and one numbered before a reopen', async () => {
  for (const counter of [1, 2, 3])
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(counter))
  const [first, second, third] = await streamed()
  await store.outgoingNumber?.(alice, first, 1)
  await store.outgoingNumber?.(alice, second, 2)
  await store.outgoingNumber?.(alice, third, 3)
  await store.outgoingAcknowledge?.(alice, 2)
  await store.flush()
  expect(committedIds()).toEqual([1, 3])

  await store.destroy()
  store = openSqliteStore({ file })
  await store.setup(testBroker())
  await store.outgoingAcknowledge?.(alice, 3)
  await store.flush()
  expect(committedIds()).toEqual([1])
  expect((await streamed()).map((entry) => [entry.messageId, entry.brokerCounter])).toEqual([
    [1, 1],
  ])
})

it('leaves a row alone once it no longer has the packet id it was numbered with', async () => {
  await store.outgoingEnqueue({ clientId: 'alice' }, publish(1))
  const [entry] = await streamed()
  await store.outgoingNumber?.(alice, entry, 5)
  // the same message numbered again, by its origin (a live send of it)
  await store.outgoingUpdate(alice, { ...publish(1), messageId: 6 })

  await store.outgoingAcknowledge?.(alice, 5)
  await store.flush()
  expect(committedIds()).toEqual([6])

  await store.outgoingAcknowledge?.(alice, 6)
  await store.flush()
  expect(committedIds()).toEqual([])
})
