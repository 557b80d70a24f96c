import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { OutgoingPacket, SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

// A resumed queue's never-sent messages get their packet ids a page at a time: the SQLite store
// numbers the rows its stream read, by row, in one commit.

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

async function queue(count: number): Promise<OutgoingPacket[]> {
  for (let counter = 1; counter <= count; counter++) {
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(counter))
  }
  const entries: OutgoingPacket[] = []
  for await (const entry of store.outgoingStream({ id: 'alice' })) entries.push(entry)
  return entries
}

function committedIds(): (number | null)[] {
  return observer.prepare('SELECT message_id FROM outgoing ORDER BY id').pluck().all() as number[]
}

it('commits the packet ids of a page of streamed entries before resolving', async () => {
  const entries = await queue(150)
  const numbering = store.outgoingNumber?.(
    { id: 'alice' },
    entries.map((entry, i) => ({ entry, messageId: 1000 + i })),
  )
  expect(committedIds().every((id) => id === null)).toBe(true)
  await numbering
  expect(committedIds()).toEqual(entries.map((_, i) => 1000 + i))
  // sent now, so no longer queued; and each is acknowledged by its id
  expect(store.queuedTotals?.('alice')).toEqual({ count: 0, bytes: 0 })
  expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: 150 })
  await store.outgoingAcknowledge?.({ id: 'alice' }, 1149)
  await store.flush()
  expect(committedIds()).toHaveLength(149)
  expect(committedIds()).not.toContain(1149)
})

it('numbers an entry it did not stream by its origin', async () => {
  const [first, second] = await queue(2)
  // a copy, as a message whose remaining lifetime was rewritten
  await store.outgoingNumber?.({ id: 'alice' }, [
    { entry: { ...first }, messageId: 7 },
    { entry: second, messageId: 8 },
  ])
  expect(committedIds()).toEqual([7, 8])
})

it('rejects when an entry was cleared meanwhile, and numbers the others', async () => {
  const [first, second, third] = await queue(3)
  await store.outgoingClearMessageId({ id: 'alice' }, { brokerId: 'broker-1', brokerCounter: 2 })
  const numbering = store.outgoingNumber?.({ id: 'alice' }, [
    { entry: first, messageId: 1 },
    { entry: second, messageId: 2 },
    { entry: third, messageId: 3 },
  ])
  await expect(numbering).rejects.toThrow('no such packet')
  await store.flush()
  expect(committedIds()).toEqual([1, 3])
})

it('leaves the id of an entry sent meanwhile as it was', async () => {
  const [first, second] = await queue(2)
  await store.outgoingUpdate({ id: 'alice' }, { ...second, messageId: 50 })
  await expect(
    store.outgoingNumber?.({ id: 'alice' }, [
      { entry: first, messageId: 1 },
      { entry: second, messageId: 2 },
    ]),
  ).rejects.toThrow('no such packet')
  await store.flush()
  expect(committedIds()).toEqual([1, 50])
})
