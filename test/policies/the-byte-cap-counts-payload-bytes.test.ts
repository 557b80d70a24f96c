import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { dropped, recordDrops } from './drops.ts'
import { goOffline, payloads, received } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  test('a session capped at 10 payload bytes keeps what fits, dropping the oldest', async () => {
    const broker = await startBroker({
      store,
      queueMaxMessages: 0,
      queueMaxBytes: 10,
      queueDropPolicy: 'oldest',
    })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('seq', 1)
    await goOffline(broker, first.client)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'seq', 'aaaa', 1, 1)
    await publish(pub, 'seq', 'bbbb', 1, 2)
    await publish(pub, 'seq', 'cccccc', 1, 3) // 14 bytes: 'aaaa' makes room
    await publish(pub, 'seq', 'dd', 1, 4) // 12 bytes: 'bbbb' makes room

    expect(drops).toEqual([
      dropped('device', 'seq', 4, 'queue-bytes'),
      dropped('device', 'seq', 4, 'queue-bytes'),
    ])
    expect(broker.store.queuedTotals('device')).toEqual({ count: 2, bytes: 8 })
    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    expect(payloads(await received(resumed.client, 2))).toEqual(['cccccc', 'dd'])
  })

  test('a message larger than the byte cap is refused and leaves the queue as it was', async () => {
    const broker = await startBroker({ store, queueMaxBytes: 10, queueDropPolicy: 'oldest' })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('seq', 1)
    await goOffline(broker, first.client)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'seq', 'small', 1, 1)
    await publish(pub, 'seq', 'far too large', 1, 2)

    expect(drops).toEqual([dropped('device', 'seq', 13, 'queue-bytes')])
    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    expect(payloads(await received(resumed.client, 1))).toEqual(['small'])
  })
})
