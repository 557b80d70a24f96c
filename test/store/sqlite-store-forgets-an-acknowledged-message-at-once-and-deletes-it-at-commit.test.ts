import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { OutgoingPacket, SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

// The SQLite store finds an in-flight message by packet id in memory, and deletes the
// acknowledged ones of a batch together as it commits: what it reads must not show them meanwhile,
// and what a rollback undoes must come back.

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
  observer = new Database(file)
})
afterEach(async () => {
  observer.close()
  await store.destroy()
  dir.remove()
})

/** alice with three messages sent as packet ids 1, 2 and 3, committed. */
async function threeInFlight(): Promise<void> {
  for (const counter of [1, 2, 3]) {
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(counter))
    await store.outgoingUpdate({ id: 'alice' }, { ...publish(counter), messageId: counter })
  }
}

async function idsOf(clientId: string): Promise<(number | undefined)[]> {
  const entries: OutgoingPacket[] = []
  for await (const entry of store.outgoingStream({ id: clientId })) entries.push(entry)
  return entries.map((entry) => entry.messageId)
}

function committedIds(): number[] {
  return observer.prepare('SELECT message_id FROM outgoing ORDER BY id').pluck().all() as number[]
}

it('reads no acknowledged message while its delete waits for the commit', async () => {
  await threeInFlight()
  void store.outgoingAcknowledge?.({ id: 'alice' }, 2)
  expect(await idsOf('alice')).toEqual([1, 3])
  expect(
    (await store.listOutgoing?.('alice', { limit: 10 }))?.map((entry) => entry.messageId),
  ).toEqual([1, 3])
  expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: 2 })
  await store.flush()
  expect(committedIds()).toEqual([1, 3])
})

it('deletes a batch of acknowledgements in one commit, whatever their order', async () => {
  for (let counter = 1; counter <= 150; counter++) {
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(counter))
    await store.outgoingUpdate({ id: 'alice' }, { ...publish(counter), messageId: counter })
  }
  // more than one statement's worth, out of order, and one packet id no message has
  const acked = [...Array(140).keys()].map((i) => 140 - i)
  for (const id of [...acked, 999]) void store.outgoingAcknowledge?.({ id: 'alice' }, id)
  expect(committedIds()).toHaveLength(150)
  await store.flush()
  expect(committedIds()).toEqual([141, 142, 143, 144, 145, 146, 147, 148, 149, 150])
  expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: 10 })
})

it('acknowledges the oldest of two messages sent with the same packet id first', async () => {
  await store.outgoingEnqueue({ clientId: 'alice' }, publish(1))
  await store.outgoingEnqueue({ clientId: 'alice' }, publish(2))
  // a packet id given again while the first is unacknowledged (a restart, a takeover)
  await store.outgoingUpdate({ id: 'alice' }, { ...publish(2), messageId: 7 })
  await store.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 7 })
  await store.outgoingAcknowledge?.({ id: 'alice' }, 7)
  await store.flush()
  expect(observer.prepare('SELECT broker_counter FROM outgoing').pluck().all()).toEqual([2])
})

it('puts an acknowledgement back in flight when its transaction is rolled back', async () => {
  await threeInFlight()
  observer.exec(`CREATE TRIGGER refuse BEFORE DELETE ON outgoing
    BEGIN SELECT RAISE(ABORT, 'the disk refused'); END`)
  void store.outgoingAcknowledge?.({ id: 'alice' }, 2)
  // a durable write of the same batch learns of the failed commit
  await expect(store.outgoingEnqueue({ clientId: 'bob' }, publish(4))).rejects.toThrow(
    'the disk refused',
  )
  // as after a crash: still in flight, so resent and acknowledged again
  expect(await idsOf('alice')).toEqual([1, 2, 3])
  expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: 3 })
  observer.exec('DROP TRIGGER refuse')
  await store.outgoingAcknowledge?.({ id: 'alice' }, 2)
  await store.flush()
  expect(committedIds()).toEqual([1, 3])
})

it('finds the in-flight messages of a reopened file by their packet ids', async () => {
  await threeInFlight()
  await store.destroy()
  store = openSqliteStore({ file })
  await store.setup(testBroker())
  await store.outgoingAcknowledge?.({ id: 'alice' }, 3)
  await store.outgoingAcknowledge?.({ id: 'alice' }, 1)
  await store.flush()
  expect(committedIds()).toEqual([2])
})
