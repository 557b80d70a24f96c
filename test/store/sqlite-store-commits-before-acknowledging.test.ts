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

function committedRows(table: 'sessions' | 'outgoing' | 'incoming' | 'wills'): number {
  return observer.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
}

it('resolves a write only once another connection sees it', async () => {
  const write = store.openSession('alice')
  expect(committedRows('sessions')).toBe(0)

  const seenOnResolve = await write.then(() => committedRows('sessions'))
  expect(seenOnResolve).toBe(1)
})

it('commits a tick of writes together before resolving any of them', async () => {
  const seen: number[] = []
  const writes = [1, 2, 3].map((counter) =>
    store
      .outgoingEnqueueCombi([{ clientId: 'alice' }, { clientId: 'bob' }], publish(counter))
      .then(() => seen.push(committedRows('outgoing'))),
  )
  expect(committedRows('outgoing')).toBe(0)

  await Promise.all(writes)
  expect(seen).toEqual([6, 6, 6])
})

it('flush resolves once what was written is committed', async () => {
  void store.incomingStorePacket({ id: 'alice' }, { ...publish(1, 2), messageId: 1 })
  expect(committedRows('incoming')).toBe(0)
  await store.flush()
  expect(committedRows('incoming')).toBe(1)
})

it('resolves a second Will deletion only once the first is committed', async () => {
  await store.putWill(
    { id: 'alice' },
    { topic: 'alice/status', payload: Buffer.from('gone'), qos: 1, retain: false },
  )
  expect(committedRows('wills')).toBe(1)

  void store.delWill({ id: 'alice' })
  // No row is left to delete in this transaction, yet the deletion is not committed.
  const seenOnResolve = await store.delWill({ id: 'alice' }).then(() => committedRows('wills'))
  expect(seenOnResolve).toBe(0)
})

// A resend after a crash carries the packet id it was sent with and DUP=1
// [MQTT-4.4.0-1] [MQTT-3.3.1-1]: so the id is committed before the PUBLISH
// goes, at QoS 1 as at QoS 2. Written behind, a crash in the window resent a
// delivered QoS 1 message as new (DUP=0), which a client cannot tell from a
// second publication (test/crash/wills-of-a-killed-broker-are-published-on-restart).
it.each([1, 2] as const)(
  'resolves a QoS %i packet id only once another connection sees it',
  async (qos) => {
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(1, qos))

    await store.outgoingUpdate({ id: 'alice' }, { ...publish(1, qos), messageId: 7 })

    const committed = observer.prepare('SELECT message_id FROM outgoing').pluck().all()
    expect(committed).toEqual([7])
  },
)
