import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt'
import type { Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, type Transport, transports, urlFor } from '../helpers/broker.ts'
import { connect5, open5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

// MQTT 5 Topic Alias from the broker: a client whose CONNECT set a Topic
// Alias Maximum gets the first PUBLISH on a topic with the topic and an
// alias (1 up to that maximum [MQTT-3.3.2-8] [MQTT-3.1.2-26]), later ones
// with a zero-length topic and the alias alone; live QoS 0 (the fast path's
// shared frame) and QoS 1, and a resumed queue. Mappings last one Network
// Connection: a new connection starts with none [MQTT-3.3.2-7], and a resend
// (DUP=1) goes with its topic in full. The session's history keeps the real topic.

/** A PUBLISH as MQTT.js hands it over: the topic it resolved, and what came on the wire. */
interface Received {
  topic: string
  wire: string
  alias: number | undefined
  qos: number
  payload: string
}

/** The next `count` PUBLISHes of `client`; listens from the call on, so call it before they come. */
function received(client: MqttClient, count: number): Promise<Received[]> {
  return new Promise((resolve) => {
    const got: Received[] = []
    const listener = (topic: string, payload: Buffer, packet: IPublishPacket) => {
      const { qos, properties } = packet
      got.push({
        topic,
        wire: packet.topic,
        alias: properties?.topicAlias,
        qos,
        payload: `${payload}`,
      })
      if (got.length < count) return
      client.off('message', listener)
      resolve(got)
    }
    client.on('message', listener)
  })
}

/** Protocol errors MQTT.js reports, a bad alias among them ("Received unregistered Topic Alias"). */
function errorsOf(client: MqttClient): Error[] {
  const errors: Error[] = []
  client.on('error', (error) => errors.push(error))
  return errors
}

const accepting: IClientOptions = { properties: { topicAliasMaximum: 5 } }

async function publishAll(
  broker: BrokerHandle,
  messages: [topic: string, payload: string, qos: 0 | 1][],
): Promise<void> {
  const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  for (const [topic, payload, qos] of messages) await client.publishAsync(topic, payload, { qos })
  await client.endAsync()
}

describe.each(transports)('over %s', (transport: Transport) => {
  test('live QoS 0 and 1: the first PUBLISH on a topic names it with an alias, the next ones send the alias alone; others get topics in full', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    const { client: sub } = await connect5(url, { clientId: 'sub', ...accepting })
    const { client: plain } = await connect5(url, { clientId: 'plain' })
    const { client: old } = await connect5(url, { clientId: 'old', protocolVersion: 4 })
    const errors = errorsOf(sub)
    for (const client of [sub, plain, old]) await client.subscribeAsync('a/#', { qos: 1 })
    const got = received(sub, 6)
    const plainGot = received(plain, 6)
    const oldGot = received(old, 6)
    const changes = new SessionChanges(broker.sessions)

    await publishAll(broker, [
      ['a/x', 'one', 0],
      ['a/x', 'two', 0],
      ['a/x', 'three', 1],
      ['a/y', 'four', 1],
      ['a/y', 'five', 0],
      ['a/x', 'six', 1],
    ])

    const messages = await got
    const topicOf = { one: 'a/x', two: 'a/x', three: 'a/x', four: 'a/y', five: 'a/y', six: 'a/x' }
    expect(Object.fromEntries(messages.map((m) => [m.payload, m.topic]))).toEqual(topicOf)
    // QoS 0 and QoS 1 travel apart, so their order may differ from the publisher's
    const aliasOf = new Map<string, number>()
    for (const m of messages) {
      const alias = aliasOf.get(m.topic)
      if (alias === undefined) {
        expect(m.wire).toBe(m.topic)
        expect(m.alias).toBeGreaterThanOrEqual(1)
        expect(m.alias).toBeLessThanOrEqual(5)
        aliasOf.set(m.topic, m.alias as number)
      } else {
        expect([m.wire, m.alias]).toEqual(['', alias])
      }
    }
    expect(new Set(aliasOf.values()).size).toBe(2)
    const aliasAlone = messages.filter((m) => m.wire === '')
    expect(new Set(aliasAlone.map((m) => m.qos))).toEqual(new Set([0, 1]))
    expect(errors).toEqual([])
    expect(sub.connected).toBe(true)

    // the same frames, unaliased: a client that set no maximum, and a 3.1.1 client
    for (const other of [await plainGot, await oldGot]) {
      expect(other.map((m) => [m.wire, m.alias])).toEqual(
        other.map((m) => [topicOf[m.payload as keyof typeof topicOf], undefined]),
      )
    }
    // the inspector saw the real topics
    const delivered: string[] = []
    while (delivered.length < 6)
      delivered.push((await changes.next('delivered', 'sub')).event.topic)
    expect(delivered.sort()).toEqual(['a/x', 'a/x', 'a/x', 'a/x', 'a/y', 'a/y'])
  })

  test('a resumed queue gets aliases afresh: the new connection starts with none', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const options = {
      clientId: 'sub',
      clean: false,
      properties: { sessionExpiryInterval: 300, topicAliasMaximum: 5 },
    }
    const { client: first } = await connect5(url, options)
    await first.subscribeAsync('a/#', { qos: 1 })
    const live = received(first, 2)
    await publishAll(broker, [
      ['a/x', 'live1', 1],
      ['a/x', 'live2', 1],
    ])
    expect((await live).map((m) => [m.wire, m.alias])).toEqual([
      ['a/x', 1],
      ['', 1],
    ])
    await first.endAsync()

    await publishAll(broker, [
      ['a/y', 'q1', 1],
      ['a/x', 'q2', 1],
      ['a/x', 'q3', 1],
      ['a/y', 'q4', 1],
    ])
    // listening before CONNACK: the queue may come in the same chunk
    const second = open5(url, options)
    const errors = errorsOf(second)
    const resumed = received(second, 4)
    expect((await resumed).map((m) => [m.payload, m.topic, m.wire, m.alias])).toEqual([
      ['q1', 'a/y', 'a/y', 1],
      ['q2', 'a/x', 'a/x', 2],
      ['q3', 'a/x', '', 2],
      ['q4', 'a/y', '', 1],
    ])
    const after = received(second, 1)
    await publishAll(broker, [['a/x', 'live3', 1]])
    expect((await after).map((m) => [m.topic, m.wire, m.alias])).toEqual([['a/x', '', 2]])
    expect(errors).toEqual([])
  })

  test('on the wire: an alias alone after the first, and a resend on a new connection carries its topic in full', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const first = await connectRaw(url)
    expect(await first.subscribe('a/#', 1)).toEqual([1])
    await publishAll(broker, [
      ['a/x', 'one', 1],
      ['a/x', 'two', 1],
    ])
    const sent = [await first.next('publish'), await first.next('publish')]
    expect(sent.map((p) => [`${p.payload}`, p.topic, p.properties?.topicAlias, p.dup])).toEqual([
      ['one', 'a/x', 1, false],
      ['two', '', 1, false],
    ])
    await first.destroy() // neither acknowledged

    const second = await connectRaw(url)
    const resent = [await second.next('publish'), await second.next('publish')]
    expect(resent.map((p) => [`${p.payload}`, p.topic, p.properties?.topicAlias, p.dup])).toEqual([
      ['one', 'a/x', undefined, true],
      ['two', 'a/x', undefined, true],
    ])
    for (const p of resent) second.send({ cmd: 'puback', messageId: p.messageId } as Packet)
    await publishAll(broker, [['a/x', 'three', 1]])
    const next = await second.next('publish')
    expect([`${next.payload}`, next.topic, next.properties?.topicAlias]).toEqual([
      'three',
      'a/x',
      1,
    ])
  })
})

/** A packet-level MQTT 5 client of a persistent session that accepts 5 aliases. */
async function connectRaw(url: string): Promise<RawClient> {
  const client = await RawClient.open(url, { protocolVersion: 5 })
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'raw',
    clean: false,
    keepalive: 0,
    properties: { sessionExpiryInterval: 300, topicAliasMaximum: 5 },
  } as Packet)
  expect((await client.next('connack')).reasonCode).toBe(0)
  return client
}
