import { describe } from 'vitest'
import { describeSessionStoreContract } from './contract.ts'
import { testBroker } from './contract-helpers.ts'
import { openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  describeSessionStoreContract(async (options) => {
    const store = await openTestStore(redis.url(), options)
    await store.setup(testBroker())
    return { store, close: () => store.destroy() }
  })
})
