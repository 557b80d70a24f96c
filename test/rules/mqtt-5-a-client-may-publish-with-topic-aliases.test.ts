import type { IConnackPacket, Packet } from 'mqtt-packet'
import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { connect5, messages } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'

// MQTT 5 Topic Alias from the client [MQTT-3.3.2-12]: up to the Topic Alias
// Maximum CONNACK told it (--max-topic-alias, 10 by default like
// Mosquitto's max_topic_alias) [MQTT-3.2.2-17]; an alias past it is a
// protocol error [MQTT-3.3.2-9].

test('CONNACK tells the Topic Alias Maximum, and an aliased PUBLISH reaches subscribers', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client: sub } = await connect5(broker.urls.mqtt, { clientId: 'sub' })
  await sub.subscribeAsync('sensors/#', { qos: 1 })
  const { client: pub, connack } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  expect(connack.properties?.topicAliasMaximum).toBe(10)

  const got = messages(sub, 2)
  await pub.publishAsync('sensors/t', 'one', { qos: 1, properties: { topicAlias: 3 } })
  await pub.publishAsync('', 'two', { qos: 1, properties: { topicAlias: 3 } })
  expect((await got).map((m) => [m.topic, String(m.payload)])).toEqual([
    ['sensors/t', 'one'],
    ['sensors/t', 'two'],
  ])
})

test('--max-topic-alias 0: none is offered, and a PUBLISH with an alias gets DISCONNECT 0x94', async () => {
  const broker = await startBroker({ store: 'memory', maxTopicAlias: 0 })
  const client = await RawClient.open(broker.urls.mqtt, { protocolVersion: 5 })
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'pub',
    clean: true,
    keepalive: 0,
  } as Packet)
  const connack = (await client.next('connack')) as IConnackPacket
  expect(connack.properties?.topicAliasMaximum).toBeUndefined()
  client.send({
    cmd: 'publish',
    topic: 'sensors/t',
    payload: Buffer.from('one'),
    qos: 0,
    retain: false,
    dup: false,
    properties: { topicAlias: 1 },
  } as Packet)
  expect((await client.next('disconnect')).reasonCode).toBe(0x94)
})
