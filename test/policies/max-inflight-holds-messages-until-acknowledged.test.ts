import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { goOffline, payloads, received, unreadPublishes } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  describe.each([true, false])('CleanSession=%s', (clean) => {
    test('with --max-inflight 2, a client that withholds PUBACK gets 2 messages, then one per PUBACK, in order', async () => {
      const broker = await startBroker({ store, maxInflight: 2 })
      const url = broker.urls.mqtt
      const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean })
      await sub.subscribe('seq', 1)
      const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
      for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 2, i)

      const firstTwo = await received(sub, 2)
      expect(payloads(firstTwo)).toEqual(['1', '2'])
      expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 2, waiting: 3 })
      await sub.ping()
      expect(unreadPublishes(sub)).toEqual([])

      sub.send({ cmd: 'puback', messageId: firstTwo[0].messageId })
      const third = await received(sub, 1)
      expect(payloads(third)).toEqual(['3'])
      expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 2, waiting: 2 })

      sub.send({ cmd: 'puback', messageId: firstTwo[1].messageId })
      sub.send({ cmd: 'puback', messageId: third[0].messageId })
      const rest = await received(sub, 2)
      expect(payloads(rest)).toEqual(['4', '5'])
      expect(new Set([...firstTwo, ...third, ...rest].map((p) => p.messageId)).size).toBe(5)
      expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 2, waiting: 0 })
    })
  })

  test('with --max-inflight 1, a QoS 2 message holds its slot through PUBREC until PUBCOMP', async () => {
    const broker = await startBroker({ store, maxInflight: 1 })
    const url = broker.urls.mqtt
    const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: false })
    await sub.subscribe('seq', 2)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'seq', 'a', 2, 1)
    await publish(pub, 'seq', 'b', 2, 2)

    const [a] = await received(sub, 1)
    sub.send({ cmd: 'pubrec', messageId: a.messageId })
    await sub.next('pubrel')
    expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 1, waiting: 1 })
    expect(unreadPublishes(sub)).toEqual([])
    sub.send({ cmd: 'pubcomp', messageId: a.messageId })
    expect(payloads(await received(sub, 1))).toEqual(['b'])
  })

  test('with --max-inflight 2, a resumed queue goes 2 at a time, resent messages first, before live ones', async () => {
    const broker = await startBroker({ store, maxInflight: 2 })
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'sub', clean: false })
    await first.client.subscribe('seq', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'seq', '1', 1, 1)
    await publish(pub, 'seq', '2', 1, 2)
    expect(payloads(await received(first.client, 2))).toEqual(['1', '2'])
    await goOffline(broker, first.client, 'drop') // 1 and 2 unacknowledged
    for (let i = 3; i <= 5; i++) await publish(pub, 'seq', String(i), 1, i)

    const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: false })
    const resent = await received(sub, 2)
    expect(resent.map((p) => [p.payload.toString(), p.dup])).toEqual([
      ['1', true],
      ['2', true],
    ])
    // A live message now waits behind the stored queue.
    await publish(pub, 'seq', 'live', 2, 6)
    await sub.ping()
    expect(unreadPublishes(sub)).toEqual([])
    expect(broker.policies.inflightOf('sub')).toEqual({ inflight: 2, waiting: 1 })

    const acked = [...resent]
    const got: string[] = []
    while (got.length < 4) {
      const next = acked.shift()
      sub.send({ cmd: 'puback', messageId: next?.messageId })
      const [packet] = await received(sub, 1)
      got.push(packet.payload.toString())
      acked.push(packet)
      expect(unreadPublishes(sub)).toEqual([])
    }
    expect(got).toEqual(['3', '4', '5', 'live'])
  })
})
