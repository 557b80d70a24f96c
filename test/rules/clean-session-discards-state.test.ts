import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

async function publishQoS1(url: string, topic: string, payload: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: `pub-${payload}` })
  await publish(client, topic, payload, 1)
  await client.disconnect()
}

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('CleanSession=1 discards the earlier persistent session: subscriptions and queue', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const first = await RawClient.connect(url, { clientId: 'd1', clean: false })
    await first.client.subscribe('t/1', 1)
    await first.client.disconnect()
    await publishQoS1(url, 't/1', 'queued')

    const clean = await RawClient.connect(url, { clientId: 'd1', clean: true })
    expect(clean.connack.sessionPresent).toBe(false) // [MQTT-3.2.2-1]
    await clean.client.ping()
    expect(clean.client.unread).toEqual([])
    await clean.client.disconnect()

    const again = await RawClient.connect(url, { clientId: 'd1', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
    await publishQoS1(url, 't/1', 'after')
    await again.client.ping()
    expect(again.client.unread).toEqual([])
  })

  test('CleanSession=1 leaves nothing behind when it disconnects', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const clean = await RawClient.connect(url, { clientId: 'd2', clean: true })
    await clean.client.subscribe('t/2', 1)
    await clean.client.disconnect()
    await publishQoS1(url, 't/2', 'while-away')

    const next = await RawClient.connect(url, { clientId: 'd2', clean: false })
    expect(next.connack.sessionPresent).toBe(false)
    await next.client.ping()
    expect(next.client.unread).toEqual([])
    expect(await broker.store.subscriptionsByTopic('t/2')).toEqual([])
  })
})
