import { describe } from 'vitest'
import { createMemoryStore } from '../../broker/store/memory/index.ts'
import { describeSessionStoreContract } from './contract.ts'
import { testBroker } from './contract-helpers.ts'

describe('the memory store', () => {
  describeSessionStoreContract(async (options) => {
    const store = createMemoryStore(options)
    await store.setup(testBroker())
    return { store, close: () => store.destroy() }
  })
})
