import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

// A resend after a crash carries the packet id it was sent with and DUP=1
// [MQTT-4.4.0-1] [MQTT-3.3.1-1]: so the id is committed before the PUBLISH
// goes, at QoS 1 as at QoS 2. Written behind, a crash in the window resent a
// delivered QoS 1 message as new (DUP=0), which a client cannot tell from a
// second publication (test/crash/wills-of-a-killed-broker-are-published-on-restart).

let dir: ReturnType<typeof makeTempDir>
let store: SessionStore
/** A second connection to the same file: it sees only what was committed. */
let observer: Database.Database

beforeEach(async () => {
  dir = makeTempDir()
  const file = join(dir.path, 'sessions.db')
  store = openSqliteStore({ file })
  await store.setup(testBroker())
  observer = new Database(file, { readonly: true })
})
afterEach(async () => {
  observer.close()
  await store.destroy()
  dir.remove()
})

function committedIds(): (number | null)[] {
  return observer.prepare('SELECT message_id FROM outgoing ORDER BY id').pluck().all() as (
    | number
    | null
  )[]
}

it.each([1, 2] as const)(
  'resolves a QoS %i packet id only once another connection sees it',
  async (qos) => {
    await store.outgoingEnqueue({ clientId: 'alice' }, publish(1, qos))

    await store.outgoingUpdate({ id: 'alice' }, { ...publish(1, qos), messageId: 7 })

    expect(committedIds()).toEqual([7])
  },
)
