import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { enqueueMany, markSent, publish, testBroker } from './contract-helpers.ts'
import { openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

// aedes-persistence-redis left packet keys behind in removeSubscriptions.
describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  let store: RedisSessionStore
  let client: Redis
  afterEach(async () => {
    await store.destroy()
    client.disconnect()
  })

  async function keysUnder(prefix: string): Promise<string[]> {
    return (await client.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort()
  }

  it('leaves only its bookkeeping keys once sessions are discarded or emptied', async () => {
    store = await openTestStore(redis.url())
    await store.setup(testBroker())
    client = new Redis(redis.url())
    const alice = { id: 'alice' }
    await store.openSession('alice')
    await store.addSubscriptions(alice, [{ topic: 'a/#', qos: 1 }])
    await store.addSubscriptions({ id: 'bob' }, [{ topic: 'b', qos: 2 }])
    await enqueueMany(store, 'alice', 1, 5)
    await enqueueMany(store, 'bob', 1, 3)
    await markSent(store, 'alice', 1, 1)
    await markSent(store, 'bob', 1, 1)
    await store.outgoingUpdate({ id: 'bob' }, { cmd: 'pubrel', messageId: 1 })
    await store.incomingStorePacket(alice, { ...publish(9, 2), messageId: 7 })

    // alice: discarded whole; bob: unsubscribed, then each entry delivered or dropped
    await store.discardSession('alice')
    await store.removeSubscriptions({ id: 'bob' }, ['b'])
    await store.outgoingClearMessageId({ id: 'bob' }, { messageId: 1 })
    await store.outgoingClearMessageId({ id: 'bob' }, { brokerId: 'broker-1', brokerCounter: 2 })
    await store.dropOldestQueued('bob', () => true)

    expect(await keysUnder(store.keyPrefix)).toEqual(['seq', 'version'])
  })
})
