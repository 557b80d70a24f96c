import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { SessionStore, StoredPacket } from '../../broker/store/types.ts'
import { describeQueue, drain, enqueueMany, markSent, publish } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let file: string
let store: SessionStore | undefined

beforeEach(() => {
  dir = makeTempDir()
  file = join(dir.path, 'sessions.db')
})
afterEach(async () => {
  await store?.destroy()
  store = undefined
  dir.remove()
})

/** Opens the file as a restarted broker would, with a new broker id. */
async function reopen(brokerId: string): Promise<SessionStore> {
  await store?.destroy()
  store = openSqliteStore({ file })
  await store.setup({ id: brokerId, counter: 0 })
  return store
}

it('keeps sessions, subscriptions, queues, incoming packets, Wills and retained messages', async () => {
  const before = await reopen('broker-1')
  const alice = { id: 'alice' }
  await before.openSession('alice')
  await before.addSubscriptions(alice, [
    { topic: 'sensors/#', qos: 1, rh: 0, rap: true, nl: false },
    { topic: 'alerts', qos: 0, subscriptionIdentifier: 3 },
  ])
  await enqueueMany(before, 'alice', 1, 3)
  await markSent(before, 'alice', 1, 11)
  await markSent(before, 'alice', 2, 12)
  await before.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 12 })
  await before.incomingStorePacket(alice, { ...publish(9, 2), messageId: 77 })
  await before.putWill(alice, { topic: 'bye', payload: Buffer.from('gone'), qos: 1, retain: true })
  const retained = { ...publish(5), retain: true, topic: 'sensors/temp' }
  await before.storeRetained(retained)

  const after = await reopen('broker-2')

  expect(await after.openSession('alice')).toBe(true)
  expect(await after.subscriptionsByClient(alice)).toEqual([
    { topic: 'sensors/#', qos: 1, rh: 0, rap: true, nl: false },
    {
      topic: 'alerts',
      qos: 0,
      rh: undefined,
      rap: undefined,
      nl: undefined,
      subscriptionIdentifier: 3,
    },
  ])
  expect(await after.subscriptionsByTopic('sensors/temp')).toEqual([
    { clientId: 'alice', topic: 'sensors/#', qos: 1, rh: 0, rap: true, nl: false },
  ])
  expect(await after.countOffline()).toEqual({ subsCount: 1, clientsCount: 1 })
  expect(describeQueue(await drain(after.outgoingStream(alice)))).toEqual([
    'publish:1#11',
    'pubrel#12',
    'publish:3',
  ])
  expect(await after.incomingGetPacket(alice, { messageId: 77 })).toMatchObject({
    topic: 'sensors/temp',
    qos: 2,
    messageId: 77,
  })
  const wills = await drain(after.streamWill({ 'broker-2': Date.now() }))
  expect(wills).toEqual([
    {
      topic: 'bye',
      payload: Buffer.from('gone'),
      qos: 1,
      retain: true,
      brokerId: 'broker-1',
      clientId: 'alice',
    },
  ])
  expect(await drain<StoredPacket>(after.createRetainedStreamCombi(['sensors/+']))).toEqual([
    retained,
  ])
})

it('queues after the existing entries once reopened', async () => {
  const before = await reopen('broker-1')
  await enqueueMany(before, 'alice', 1, 3)
  // Clearing the newest entry must not let a later one take its place.
  await markSent(before, 'alice', 3, 3)
  await before.outgoingClearMessageId({ id: 'alice' }, { messageId: 3 })

  const after = await reopen('broker-2')
  await enqueueMany(after, 'alice', 4, 1)

  expect(describeQueue(await drain(after.outgoingStream({ id: 'alice' })))).toEqual([
    'publish:1',
    'publish:2',
    'publish:4',
  ])
})
