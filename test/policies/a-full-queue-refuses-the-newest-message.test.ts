import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { dropped, recordDrops } from './drops.ts'
import { goOffline, payloads, received, unreadPublishes } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  test('an offline session capped at 3 keeps the first 3 of 5 messages, and reports the 2 refused', async () => {
    const broker = await startBroker({ store, queueMaxMessages: 3, queueDropPolicy: 'newest' })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('seq', 1)
    await goOffline(broker, first.client)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    // Refused for this session only: the publisher's PUBACKs come all the same.
    for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 1, i)

    expect(drops).toEqual([
      dropped('device', 'seq', 1, 'queue-full'),
      dropped('device', 'seq', 1, 'queue-full'),
    ])
    expect(broker.policies.counters.droppedBy['queue-full']).toBe(2)
    expect((await broker.store.getSession('device'))?.dropped).toBe(2)

    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    expect(payloads(await received(resumed.client, 3))).toEqual(['1', '2', '3'])
    expect(unreadPublishes(resumed.client)).toEqual([])
  })

  test("one session's full queue does not keep a message from another session", async () => {
    const broker = await startBroker({ store, queueMaxMessages: 1, queueDropPolicy: 'newest' })
    const url = broker.urls.mqtt
    for (const clientId of ['full', 'empty']) {
      const { client } = await RawClient.connect(url, { clientId, clean: false })
      await client.subscribe(clientId === 'full' ? '#' : 'b', 1)
      await goOffline(broker, client)
    }
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'a', 'first', 1, 1)
    await publish(pub, 'b', 'second', 1, 2)

    expect(broker.store.queuedTotals('full')).toEqual({ count: 1, bytes: 5 })
    expect(broker.store.queuedTotals('empty')).toEqual({ count: 1, bytes: 6 })
  })
})
