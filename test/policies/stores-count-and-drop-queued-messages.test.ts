import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../broker/store/memory/index.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { QueuedEntry, QueueTotals, SessionStore } from '../../broker/store/types.ts'
import {
  describeQueue,
  drain,
  enqueueMany,
  markSent,
  publish,
  testBroker,
} from '../store/contract-helpers.ts'
import { makeTempDir } from '../store/temp-dir.ts'

// publish(n) carries the payload `message ${n}`: 9 bytes for n < 10.
const BYTES = 9

type Open = () => Promise<{ store: SessionStore; close: () => Promise<void> }>

const stores: [string, Open][] = [
  [
    'memory',
    async () => {
      const store = createMemoryStore()
      await store.setup(testBroker())
      return { store, close: () => store.destroy() }
    },
  ],
  [
    'sqlite',
    async () => {
      const dir = makeTempDir()
      const store = openSqliteStore({ file: join(dir.path, 'sessions.db') })
      await store.setup(testBroker())
      return {
        store,
        close: async () => {
          await store.destroy()
          dir.remove()
        },
      }
    },
  ],
]

describe.each(stores)('the %s store', (_kind, open) => {
  let store: SessionStore
  let close: () => Promise<void>

  beforeEach(async () => {
    ;({ store, close } = await open())
  })
  afterEach(() => close())

  it('counts queued, never-sent messages and their bytes as they are queued, sent and cleared', async () => {
    await enqueueMany(store, 'alice', 1, 4)
    await store.outgoingEnqueueCombi([{ clientId: 'alice' }], { ...publish(5), payload: 'héllo' })
    expect(store.queuedTotals('alice')).toEqual({ count: 5, bytes: 4 * BYTES + 6 })

    await markSent(store, 'alice', 1, 11)
    await store.outgoingUpdate({ id: 'alice' }, { cmd: 'pubrel', messageId: 11 })
    expect(store.queuedTotals('alice')).toEqual({ count: 4, bytes: 3 * BYTES + 6 })

    // A resend (DUP=1) of a sent message is no new send.
    await markSent(store, 'alice', 2, 12)
    await store.outgoingUpdate({ id: 'alice' }, { ...publish(2), messageId: 12, dup: true })
    expect(store.queuedTotals('alice')).toEqual({ count: 3, bytes: 2 * BYTES + 6 })

    // Cleared unsent (by origin), and cleared after its PUBACK (by packet id).
    await store.outgoingClearMessageId({ id: 'alice' }, { brokerId: 'broker-1', brokerCounter: 3 })
    await store.outgoingClearMessageId({ id: 'alice' }, { messageId: 12 })
    expect(store.queuedTotals('alice')).toEqual({ count: 2, bytes: BYTES + 6 })
    expect(store.queuedTotals('bob')).toEqual({ count: 0, bytes: 0 })

    await store.discardSession('alice')
    expect(store.queuedTotals('alice')).toEqual({ count: 0, bytes: 0 })
  })

  it('offers the oldest queued messages to drop, skipping those in flight, until one is kept', async () => {
    await enqueueMany(store, 'alice', 1, 5)
    await enqueueMany(store, 'bob', 1, 1)
    await markSent(store, 'alice', 1, 11)
    const offered: [QueuedEntry, QueueTotals][] = []

    await store.dropOldestQueued('alice', (entry, left) => {
      offered.push([entry, left])
      return left.count > 2
    })

    expect(offered).toEqual([
      [
        { topic: 'sensors/temp', qos: 1, bytes: BYTES },
        { count: 4, bytes: 4 * BYTES },
      ],
      [
        { topic: 'sensors/temp', qos: 1, bytes: BYTES },
        { count: 3, bytes: 3 * BYTES },
      ],
      [
        { topic: 'sensors/temp', qos: 1, bytes: BYTES },
        { count: 2, bytes: 2 * BYTES },
      ],
    ])
    expect(describeQueue(await drain(store.outgoingStream({ id: 'alice' })))).toEqual([
      'publish:1#11',
      'publish:4',
      'publish:5',
    ])
    expect(store.queuedTotals('alice')).toEqual({ count: 2, bytes: 2 * BYTES })
    expect(await drain(store.outgoingStream({ id: 'bob' }))).toHaveLength(1)
  })

  it('drops within the write that follows it: both are there at once', async () => {
    await enqueueMany(store, 'alice', 1, 2)
    const dropped = store.dropOldestQueued('alice', () => true)
    const queued = store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(3))
    expect(store.queuedTotals('alice')).toEqual({ count: 1, bytes: BYTES })
    await Promise.all([dropped, queued])
    expect(describeQueue(await drain(store.outgoingStream({ id: 'alice' })))).toEqual(['publish:3'])
  })

  it('matches the QoS 0 subscriptions of sessions, as they are made, changed and removed', async () => {
    const ids = (topic: string) =>
      store
        .qos0SubscriptionsByTopic(topic)
        .map((sub) => `${sub.clientId} ${sub.topic} ${sub.qos}`)
        .sort()
    await store.addSubscriptions({ id: 'alice' }, [
      { topic: 'a/#', qos: 0 },
      { topic: 'a/b', qos: 1 },
    ])
    await store.addSubscriptions({ id: 'bob' }, [{ topic: 'a/+', qos: 0 }])
    await store.addSubscriptions({ id: 'carol' }, [{ topic: 'a/b', qos: 0 }])
    expect(ids('a/b')).toEqual(['alice a/# 0', 'bob a/+ 0', 'carol a/b 0'])

    await store.addSubscriptions({ id: 'alice' }, [{ topic: 'a/#', qos: 2 }])
    await store.removeSubscriptions({ id: 'bob' }, ['a/+'])
    await store.discardSession('carol')
    expect(ids('a/b')).toEqual([])

    await store.addSubscriptions({ id: 'bob' }, [{ topic: 'a/+', qos: 0 }])
    await store.cleanSubscriptions({ id: 'bob' })
    expect(ids('a/b')).toEqual([])
    // QoS 1/2 matching is unchanged: QoS 0 subscriptions are not in it.
    expect((await store.subscriptionsByTopic('a/b')).map((sub) => sub.clientId).sort()).toEqual([
      'alice',
      'alice',
    ])
  })
})

describe('the sqlite store reopened', () => {
  let dir: ReturnType<typeof makeTempDir>

  beforeEach(() => {
    dir = makeTempDir()
  })
  afterEach(() => dir.remove())

  it('loads the queue totals and the QoS 0 subscriptions it holds', async () => {
    const file = join(dir.path, 'sessions.db')
    const before = openSqliteStore({ file })
    await before.setup(testBroker())
    await enqueueMany(before, 'alice', 1, 3)
    await markSent(before, 'alice', 1, 11)
    await before.outgoingEnqueueCombi([{ clientId: 'bob' }], { ...publish(4), payload: 'héllo' })
    await before.addSubscriptions({ id: 'bob' }, [{ topic: 'x/#', qos: 0 }])
    await before.destroy()

    const after = openSqliteStore({ file })
    await after.setup({ id: 'broker-2', counter: 0 })
    try {
      expect(after.queuedTotals('alice')).toEqual({ count: 2, bytes: 2 * BYTES })
      expect(after.queuedTotals('bob')).toEqual({ count: 1, bytes: 6 })
      expect(after.qos0SubscriptionsByTopic('x/y').map((sub) => sub.clientId)).toEqual(['bob'])
    } finally {
      await after.destroy()
    }
  })
})
