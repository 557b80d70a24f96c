import { join } from 'node:path'
import { describe } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { describeSessionStoreContract } from './contract.ts'
import { testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

describe('the sqlite store', () => {
  describeSessionStoreContract(async (options) => {
    const dir = makeTempDir()
    const store = openSqliteStore({ file: join(dir.path, 'sessions.db'), ...options })
    await store.setup(testBroker())
    return {
      store,
      close: async () => {
        try {
          await store.destroy()
        } finally {
          dir.remove()
        }
      },
    }
  })
})
