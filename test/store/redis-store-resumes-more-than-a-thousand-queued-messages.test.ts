import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { drain, enqueueMany, markSent, testBroker } from './contract-helpers.ts'
import { openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

// aedes-persistence-redis stops a resume at maxSessionDelivery (1000) messages.
describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  let store: RedisSessionStore
  afterEach(() => store.destroy())

  it('streams a queue of 2,500 messages whole, oldest first', async () => {
    store = await openTestStore(redis.url())
    await store.setup(testBroker())
    await enqueueMany(store, 'sleeper', 1, 2500)
    await markSent(store, 'sleeper', 1200, 9)

    const queue = await drain(store.outgoingStream({ id: 'sleeper' }))

    expect(queue.map((entry) => entry.brokerCounter)).toEqual(
      Array.from({ length: 2500 }, (_, i) => i + 1),
    )
    expect(queue[1199]?.messageId).toBe(9)
    expect(await store.queuedTotals('sleeper')).toEqual({ count: 2499, bytes: expect.any(Number) })
  })
})
