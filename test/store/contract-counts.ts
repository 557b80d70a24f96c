import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionStore, StoredPacket } from '../../broker/store/types.ts'
import type { OpenStore } from './contract-helpers.ts'

function retained(topic: string, payload: string): StoredPacket {
  return { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: true, dup: false }
}

/** The counts the start-up report and `$SYS` read: subscriptions and retained messages. */
export function describeCountContract(open: OpenStore): void {
  describe('counts', () => {
    let store: SessionStore
    let close: () => Promise<void>

    beforeEach(async () => {
      ;({ store, close } = await open())
    })
    afterEach(() => close())

    it('countSubscriptions counts every filter of every session, QoS 0 ones included', async () => {
      const before = await store.countSubscriptions()
      await store.addSubscriptions({ id: 'count-a' }, [
        { topic: 'a/#', qos: 0 },
        { topic: 'a/b', qos: 1 },
      ])
      await store.addSubscriptions({ id: 'count-b' }, [{ topic: 'a/b', qos: 2 }])
      expect((await store.countSubscriptions()) - before).toBe(3)

      // a filter subscribed again at another QoS is still one subscription
      await store.addSubscriptions({ id: 'count-a' }, [{ topic: 'a/#', qos: 1 }])
      await store.addSubscriptions({ id: 'count-a' }, [{ topic: 'a/b', qos: 0 }])
      expect((await store.countSubscriptions()) - before).toBe(3)

      await store.removeSubscriptions({ id: 'count-a' }, ['a/b'])
      expect((await store.countSubscriptions()) - before).toBe(2)
      await store.discardSession('count-b')
      expect((await store.countSubscriptions()) - before).toBe(1)
    })

    it('countRetained counts one message per topic, and an empty payload removes it', async () => {
      const before = await store.countRetained()
      await store.storeRetained(retained('count/one', 'x'))
      await store.storeRetained(retained('count/two', 'y'))
      await store.storeRetained(retained('count/one', 'replaced'))
      expect((await store.countRetained()) - before).toBe(2)

      await store.storeRetained(retained('count/two', ''))
      expect((await store.countRetained()) - before).toBe(1)
    })
  })
}
