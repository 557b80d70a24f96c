import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('CONNACK says session-present=1 for a persistent session that has no subscriptions', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const first = await RawClient.connect(url, { clientId: 'nosubs', clean: false })
    expect(first.connack.sessionPresent).toBe(false)
    expect(first.connack.returnCode).toBe(0)
    await first.client.disconnect()

    // [MQTT-3.2.2-2]: aedes 1.2 answers 0 here because there are no subscriptions
    const second = await RawClient.connect(url, { clientId: 'nosubs', clean: false })
    expect(second.connack.sessionPresent).toBe(true)
    // the marker that carries the flag through aedes is never a real subscription
    expect(await second.client.subscribe('real/topic', 1)).toEqual([1])
    expect(await broker.store.subscriptionsByClient({ id: 'nosubs' })).toEqual([
      expect.objectContaining({ topic: 'real/topic', qos: 1 }),
    ])
  })

  test('a session that ended with an unsubscribe of everything is still present', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const first = await RawClient.connect(url, { clientId: 'unsub', clean: false })
    await first.client.subscribe('a/b', 1)
    first.client.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['a/b'] })
    await first.client.next('unsuback')
    await first.client.disconnect()

    const second = await RawClient.connect(url, { clientId: 'unsub', clean: false })
    expect(second.connack.sessionPresent).toBe(true)
  })
})
