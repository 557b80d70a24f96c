import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { drain } from '../store/contract-helpers.ts'
import { dropped, recordDrops } from './drops.ts'
import { goOffline, payloads, received } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  test('a connected client behind a full window keeps the newest 2 waiting, and the dropped leave its stored queue', async () => {
    const broker = await startBroker({
      store,
      maxInflight: 1,
      queueMaxMessages: 2,
      queueDropPolicy: 'oldest',
    })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'sub', clean: false })
    await first.client.subscribe('seq', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 2, i)

    expect(payloads(await received(first.client, 1))).toEqual(['1'])
    expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 1, waiting: 2 })
    expect(drops).toEqual([
      dropped('sub', 'seq', 1, 'queue-full'),
      dropped('sub', 'seq', 1, 'queue-full'),
    ])
    await goOffline(broker, first.client, 'drop')

    const queue = await drain<{ payload: Buffer }>(broker.store.outgoingStream({ id: 'sub' }))
    expect(queue.map((entry) => entry.payload.toString())).toEqual(['1', '4', '5'])
    const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: false })
    const [again] = await received(sub, 1)
    expect([again.payload.toString(), again.dup]).toEqual(['1', true])
    sub.send({ cmd: 'puback', messageId: again.messageId })
    const [four] = await received(sub, 1)
    sub.send({ cmd: 'puback', messageId: four.messageId })
    expect(payloads([four, ...(await received(sub, 1))])).toEqual(['4', '5'])
  })

  test('a clean client behind a full window refuses what does not fit with --queue-drop-policy newest', async () => {
    const broker = await startBroker({
      store,
      maxInflight: 1,
      queueMaxMessages: 2,
      queueDropPolicy: 'newest',
    })
    const drops = recordDrops(broker)
    const url = broker.urls.mqtt
    const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: true })
    await sub.subscribe('seq', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 2, i)

    expect(drops).toEqual([
      dropped('sub', 'seq', 1, 'queue-full'),
      dropped('sub', 'seq', 1, 'queue-full'),
    ])
    const got: string[] = []
    for (let i = 0; i < 3; i++) {
      const [packet] = await received(sub, 1)
      got.push(packet.payload.toString())
      sub.send({ cmd: 'puback', messageId: packet.messageId })
    }
    expect(got).toEqual(['1', '2', '3'])
  })
})
