import type { IPublishPacket } from 'mqtt'
import { describe, expect, test } from 'vitest'
import { urlFor } from '../helpers/broker.ts'
import { connect5, messages, nextMessage } from '../helpers/mqtt5.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// PUBLISH properties pass through to MQTT 5 subscribers [MQTT-3.3.2-17]
// [MQTT-3.3.2-18] [MQTT-3.3.2-20] [MQTT-3.3.2-4]; 3.1.1 has no properties, so a
// 3.1.1 subscriber gets the bare message. Each of SessionLab's own writers is
// crossed: aedes' live QoS 1 path, the QoS 0 fast path, a resumed queue page.
const properties = {
  userProperties: { origin: 'sensor-7', unit: ['C', 'K'] },
  contentType: 'application/json',
  payloadFormatIndicator: true,
  responseTopic: 'replies/sensor-7',
  correlationData: Buffer.from([0xca, 0xfe]),
  messageExpiryInterval: 3600,
}

function propertiesOf(packet: IPublishPacket) {
  const p = packet.properties ?? {}
  return {
    userProperties: p.userProperties,
    contentType: p.contentType,
    payloadFormatIndicator: p.payloadFormatIndicator,
    responseTopic: p.responseTopic,
    correlationData: p.correlationData && Buffer.from(p.correlationData).toString('hex'),
  }
}

const expected = {
  userProperties: properties.userProperties,
  contentType: 'application/json',
  payloadFormatIndicator: true,
  responseTopic: 'replies/sensor-7',
  correlationData: 'cafe',
}

describe.each(transportsAndAllStores)('over %s on %s', (transport, store) => {
  test('an MQTT 5 client connects and gets a live QoS 1 message with its properties', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: sub, connack } = await connect5(url, { clientId: 'sub5' })
    expect([connack.reasonCode, connack.sessionPresent]).toEqual([0, false])
    const granted = await sub.subscribeAsync('sensors/#', { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual([1])
    const { client: pub } = await connect5(url, { clientId: 'pub5' })
    const arrived = nextMessage(sub)
    await pub.publishAsync('sensors/7', '{"t":21}', { qos: 1, properties })
    const message = await arrived
    expect([message.topic, message.payload.toString(), message.qos]).toEqual([
      'sensors/7',
      '{"t":21}',
      1,
    ])
    expect(propertiesOf(message)).toEqual(expected)
    expect(message.properties?.messageExpiryInterval).toBeGreaterThan(3590)
  })

  test('QoS 0 fan-out: an MQTT 5 subscriber gets the properties, a 3.1.1 one the bare message', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: v5 } = await connect5(url, { clientId: 'v5' })
    const { client: v4 } = await connect5(url, { clientId: 'v4', protocolVersion: 4 })
    await v5.subscribeAsync('sensors/#', { qos: 0 })
    await v4.subscribeAsync('sensors/#', { qos: 0 })
    const { client: pub } = await connect5(url, { clientId: 'pub5' })
    const at5 = messages(v5, 2)
    const at4 = messages(v4, 2)
    // the same message twice: the second is the encode-once cache's frame
    for (let i = 0; i < 2; i++) {
      await pub.publishAsync('sensors/7', 'zero', { qos: 0, properties })
    }
    for (const five of await at5) {
      expect([five.topic, five.payload.toString(), five.qos]).toEqual(['sensors/7', 'zero', 0])
      expect(propertiesOf(five)).toEqual(expected)
    }
    expect((await at4).map((m) => [m.topic, m.payload.toString(), m.properties])).toEqual([
      ['sensors/7', 'zero', undefined],
      ['sensors/7', 'zero', undefined],
    ])
  })

  test('a resumed MQTT 5 session gets its queued messages with their properties', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const session = { clientId: 'dev5', clean: false, properties: { sessionExpiryInterval: 600 } }
    const first = await connect5(url, session)
    await first.client.subscribeAsync('cmd/dev5', { qos: 1 })
    await first.client.endAsync()
    const { client: v4 } = await connect5(url, { clientId: 'v4', protocolVersion: 4, clean: false })
    await v4.subscribeAsync('cmd/#', { qos: 1 })
    await v4.endAsync()

    const { client: pub } = await connect5(url, { clientId: 'pub5' })
    await pub.publishAsync('cmd/dev5', 'one', { qos: 1, properties })
    await pub.publishAsync('cmd/dev5', 'two', { qos: 1 })

    const again = await connect5(url, session)
    const queued = await messages(again.client, 2)
    expect(again.connack.sessionPresent).toBe(true)
    expect(queued.map((m) => m.payload.toString())).toEqual(['one', 'two'])
    expect(propertiesOf(queued[0])).toEqual(expected)
    expect(queued[1].properties?.userProperties).toBeUndefined()

    const resumed4 = await connect5(url, { clientId: 'v4', protocolVersion: 4, clean: false })
    const four = await messages(resumed4.client, 2)
    expect(four.map((m) => [m.payload.toString(), m.properties])).toEqual([
      ['one', undefined],
      ['two', undefined],
    ])
  })
})
