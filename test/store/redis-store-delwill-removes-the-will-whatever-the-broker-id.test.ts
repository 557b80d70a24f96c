import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { freshPrefix, openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

// aedes calls delWill(client) (connect.js) with no brokerId on the client;
// aedes-persistence-redis built the key from it and so never removed the Will.
describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  const stores: RedisSessionStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.destroy()))
  })

  it('removes a Will by ClientID, whichever broker stamped it and whatever the caller passes', async () => {
    const keyPrefix = freshPrefix()
    const stamping = await openTestStore(redis.url(), { keyPrefix })
    await stamping.setup({ id: 'node-a' })
    const other = await openTestStore(redis.url(), { keyPrefix })
    await other.setup({ id: 'node-b' })
    stores.push(stamping, other)
    const will = { topic: 'bye', payload: Buffer.from('gone'), qos: 1 as const, retain: false }
    await stamping.putWill({ id: 'alice' }, will)
    expect((await other.getWill({ id: 'alice' }))?.brokerId).toBe('node-a')

    const removed = await other.delWill({ id: 'alice' })

    expect(removed).toMatchObject({ clientId: 'alice', brokerId: 'node-a', topic: 'bye' })
    expect(await stamping.getWill({ id: 'alice' })).toBeUndefined()
    expect(await other.claimWills('node-a')).toEqual([])
    await stamping.putWill({ id: 'bob' }, will)
    expect(await other.delWill({ id: 'bob', brokerId: 'some-other-broker' })).toMatchObject({
      clientId: 'bob',
    })
    expect(await other.delWill({ id: 'bob' })).toBeUndefined()
  })
})
