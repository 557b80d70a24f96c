// A child process for the kill -9 test: queues numbered messages as fast as it
// can and prints each number once its write has resolved, until it is killed.
//
//   node --import tsx test/store/write-until-killed.ts FILE
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { publish, testBroker } from './contract-helpers.ts'

const file = process.argv[2]
if (!file) throw new Error('usage: write-until-killed.ts FILE')
const store = openSqliteStore({ file })
await store.setup(testBroker())

let counter = 0
function burst(): void {
  for (let i = 0; i < 50; i++) {
    const written = ++counter
    store
      .outgoingEnqueueCombi([{ clientId: 'alice' }], publish(written))
      .then(() => process.stdout.write(`${written}\n`))
  }
  setImmediate(burst)
}
burst()
