import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt'
import { describe, expect, onTestFinished, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'

/** An MQTT.js client whose messages are recorded from its first packet on. */
async function connect(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; messages: (n: number) => Promise<IPublishPacket[]> }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, ...options })
  onTestFinished(() => client.endAsync(true))
  const received: IPublishPacket[] = []
  let arrived: (() => void) | undefined
  client.on('message', (_topic, _payload, packet) => {
    received.push(packet)
    arrived?.()
  })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  /** The first `n` messages the client received, once it has them. */
  const messages = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => (arrived = resolve))
    return received.slice(0, n)
  }
  return { client, messages }
}

describe.each(transports)('over %s', (transport) => {
  test('live QoS 0, 1 and 2 deliveries are counted by the QoS they are sent at', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    const sub = await connect(url, { clientId: 'sub' })
    await sub.client.subscribeAsync('live/#', { qos: 2 })
    const pub = await connect(url, { clientId: 'pub' })

    await pub.client.publishAsync('live/0', 'a', { qos: 0 })
    await pub.client.publishAsync('live/1', 'b', { qos: 1 })
    await pub.client.publishAsync('live/2', 'c', { qos: 2 })
    const got = await sub.messages(3)

    expect(got.map((p) => p.qos).sort()).toEqual([0, 1, 2])
    expect(broker.stats.sent).toEqual({ 0: 1, 1: 1, 2: 1 })
  })
})

test('a resumed queue is counted as it is written', async () => {
  const broker = await startBroker({ store: 'memory' })
  const url = broker.urls.mqtt
  const first = await connect(url, { clientId: 'dev', clean: false })
  await first.client.subscribeAsync('queue/#', { qos: 1 })
  await first.client.endAsync()
  const pub = await connect(url, { clientId: 'pub' })
  for (const payload of ['1', '2', '3']) {
    // acknowledged once queued for the offline session
    await pub.client.publishAsync('queue/x', payload, { qos: 1 })
  }
  expect(broker.stats.sent).toEqual({ 0: 0, 1: 0, 2: 0 })

  const back = await connect(url, { clientId: 'dev', clean: false })
  const got = await back.messages(3)

  expect(got.map((p) => `${p.payload}`)).toEqual(['1', '2', '3'])
  expect(broker.stats.sent).toEqual({ 0: 0, 1: 3, 2: 0 })
})

test('a retained message sent on subscribe is counted', async () => {
  const broker = await startBroker({ store: 'memory' })
  const url = broker.urls.mqtt
  const pub = await connect(url, { clientId: 'pub' })
  await pub.client.publishAsync('status/dev', 'online', { qos: 1, retain: true })

  const sub = await connect(url, { clientId: 'sub' })
  await sub.client.subscribeAsync('status/#', { qos: 1 })
  const [got] = await sub.messages(1)

  // [MQTT-3.3.1-8]: sent because of a new subscription, with RETAIN set
  expect(got?.retain).toBe(true)
  expect(broker.stats.sent).toEqual({ 0: 0, 1: 1, 2: 0 })
})
