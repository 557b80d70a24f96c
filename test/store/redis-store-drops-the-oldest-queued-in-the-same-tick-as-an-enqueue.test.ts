import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { describeQueue, drain, enqueueMany, publish, testBroker } from './contract-helpers.ts'
import { openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  let store: RedisSessionStore
  afterEach(() => store.destroy())

  it('walks the queue as it was before an enqueue issued in the same tick', async () => {
    store = await openTestStore(redis.url())
    await store.setup(testBroker())
    await enqueueMany(store, 'alice', 1, 3)
    const offered: number[] = []

    // as the queue caps do with a cap of 3: drop until one more fits, then enqueue
    const dropping = store.dropOldestQueued('alice', (_entry, left) => {
      offered.push(left.count)
      return left.count + 1 > 3
    })
    const enqueueing = store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(4))
    await Promise.all([dropping, enqueueing])

    expect(offered).toEqual([3, 2])
    expect(describeQueue(await drain(store.outgoingStream({ id: 'alice' })))).toEqual([
      'publish:2',
      'publish:3',
      'publish:4',
    ])
    expect(await store.queuedTotals('alice')).toEqual({ count: 3, bytes: 27 })
  })
})
