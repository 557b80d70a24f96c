import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { drain } from '../store/contract-helpers.ts'
import { dropped, recordDrops } from './drops.ts'
import { goOffline, payloads, received, unreadPublishes } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  test('an offline session capped at 3 keeps the newest 3 of 5 messages, and reports the 2 dropped', async () => {
    const broker = await startBroker({ store, queueMaxMessages: 3, queueDropPolicy: 'oldest' })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('seq', 1)
    await goOffline(broker, first.client)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 1, i)

    expect(drops).toEqual([
      dropped('device', 'seq', 1, 'queue-full'),
      dropped('device', 'seq', 1, 'queue-full'),
    ])
    expect(broker.policies.counters.dropped).toBe(2)
    expect((await broker.store.getSession('device'))?.dropped).toBe(2)
    expect(broker.store.queuedTotals('device')).toEqual({ count: 3, bytes: 3 })

    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    expect(payloads(await received(resumed.client, 3))).toEqual(['3', '4', '5'])
    expect(unreadPublishes(resumed.client)).toEqual([])
  })

  test('the oldest queued message is dropped, never one already sent and awaiting its PUBACK', async () => {
    const broker = await startBroker({ store, queueMaxMessages: 2, queueDropPolicy: 'oldest' })
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('seq', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'seq', 'sent', 1, 1)
    expect(payloads(await received(first.client, 1))).toEqual(['sent'])
    await goOffline(broker, first.client, 'drop') // no PUBACK: 'sent' stays in flight

    for (let i = 1; i <= 3; i++) await publish(pub, 'seq', String(i), 1, 10 + i)

    const queue = await drain<{ payload: Buffer }>(broker.store.outgoingStream({ id: 'device' }))
    expect(queue.map((entry) => entry.payload.toString())).toEqual(['sent', '2', '3'])
    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    const again = await received(resumed.client, 3)
    expect(payloads(again)).toEqual(['sent', '2', '3'])
    expect(again.map((packet) => packet.dup)).toEqual([true, false, false])
  })
})
