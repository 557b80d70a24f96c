import type { Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { connect5, messages } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'

// MQTT 5 shared subscriptions (§4.8.2): available (aedes 2 alone answers
// SUBACK 0x9E and advertises them unavailable), one member per message at
// QoS min(message, grant) [MQTT-4.8.2-3], no retained message on subscribing,
// ill-formed share names refused with 0x8F [MQTT-4.8.2-1] [MQTT-4.8.2-2], No
// Local on one a protocol error [MQTT-3.8.3-4].

describe.each(transports)('over %s', (transport) => {
  test('CONNACK says shared subscriptions are available and a v5 and a 3.1.1 member share one group', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    const { client: v5, connack } = await connect5(url, { clientId: 'v5' })
    expect(connack.properties?.sharedSubscriptionAvailable).not.toBe(false)
    const granted = await v5.subscribeAsync('$share/g/job/#', { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual([1])
    const { client: v4 } = await connect5(url, { clientId: 'v4', protocolVersion: 4 })
    await v4.subscribeAsync('$share/g/job/#', { qos: 0 })

    const got5 = messages(v5, 2)
    const got4 = messages(v4, 2)
    const { client: pub } = await connect5(url, { clientId: 'pub' })
    for (let i = 0; i < 4; i++) await pub.publishAsync('job/x', `m${i}`, { qos: 1 })
    const [from5, from4] = await Promise.all([got5, got4])
    expect([...from5, ...from4].map((p) => String(p.payload)).sort()).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
    ])
    expect(from5.map((p) => p.qos)).toEqual([1, 1])
    expect(from4.map((p) => p.qos)).toEqual([0, 0])

    // the inspector shows it as the client made it
    expect((await broker.sessions.get('v5'))?.subscriptions).toEqual([
      {
        topic: '$share/g/job/#',
        qos: 1,
        shareGroup: 'g',
        // with its MQTT 5 subscription options (broker/inspector/views.ts)
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      },
    ])
  })

  test('no retained message comes on a shared subscription', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    const { client: pub } = await connect5(url, { clientId: 'pub' })
    await pub.publishAsync('job/old', 'retained', { qos: 1, retain: true })
    await pub.publishAsync('fence/x', 'f', { qos: 1, retain: true })
    const { client } = await connect5(url, { clientId: 'member' })
    const first = messages(client, 1)
    await client.subscribeAsync('$share/g/job/#', { qos: 1 })
    // a later SUBSCRIBE's retained message: the shared one's would have come first
    await client.subscribeAsync('fence/#', { qos: 1 })
    expect((await first).map((p) => String(p.payload))).toEqual(['f'])
  })

  test('ill-formed share names get SUBACK 0x8F and the connection stays open', async () => {
    const broker = await startBroker({ store: 'memory' })
    // MQTT.js refuses to send these: a packet-level client does
    const client = await RawClient.open(urlFor(broker, transport), { protocolVersion: 5 })
    client.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'c',
      clean: true,
      keepalive: 60,
    } as Packet)
    await client.next('connack')
    client.send({
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: ['$share/a+b/x', '$share//x', '$share/g', '$share/g/x'].map((topic) => ({
        topic,
        qos: 1 as const,
      })),
    } as Packet)
    expect((await client.next('suback')).granted).toEqual([0x8f, 0x8f, 0x8f, 1])
    await client.ping()
    expect(client.closed).toBe(false)
  })

  test('No Local on a shared subscription closes the connection [MQTT-3.8.3-4]', async () => {
    const broker = await startBroker({ store: 'memory' })
    const { client: c5 } = await connect5(urlFor(broker, transport), { clientId: 'c5' })
    const closed = new Promise<void>((resolve) => c5.once('close', () => resolve()))
    let answered = false
    c5.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') answered = true
    })
    c5.subscribe('$share/g/x', { qos: 1, nl: true })
    await closed
    expect(answered).toBe(false)
  })
})
