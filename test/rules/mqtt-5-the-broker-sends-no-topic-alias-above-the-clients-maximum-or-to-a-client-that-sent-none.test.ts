import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { startBroker, type Transport, transports, urlFor } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'

// MQTT 5: the broker never sends a Topic Alias above the Topic Alias Maximum
// the client's CONNECT set [MQTT-3.1.2-26] [MQTT-3.3.2-11], none to a
// client that set 0 or none [MQTT-3.1.2-27], none with --topic-alias-out
// false, and none that would take a PUBLISH over the client's Maximum
// Packet Size [MQTT-3.1.2-24]. Once its maximum is reached, the first topics
// keep their aliases and the others go in full.

/** A raw MQTT 5 subscriber to `a/#` at QoS 0, with these CONNECT properties. */
async function subscriber(
  url: string,
  properties: { topicAliasMaximum?: number; maximumPacketSize?: number },
): Promise<RawClient> {
  const client = await RawClient.open(url, { protocolVersion: 5 })
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'sub',
    clean: true,
    keepalive: 0,
    properties,
  } as Packet)
  expect((await client.next('connack')).reasonCode).toBe(0)
  expect(await client.subscribe('a/#', 0)).toEqual([0])
  return client
}

async function publishAll(broker: BrokerHandle, messages: [topic: string, payload: string][]) {
  const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  for (const [topic, payload] of messages) await client.publishAsync(topic, payload, { qos: 0 })
  await client.endAsync()
}

/** The next `count` PUBLISHes as they came: topic and Topic Alias. */
async function wire(client: RawClient, count: number): Promise<[string, number | undefined][]> {
  const got: [string, number | undefined][] = []
  while (got.length < count) {
    const p = (await client.next('publish')) as IPublishPacket
    got.push([p.topic, p.properties?.topicAlias])
  }
  return got
}

async function start(transport: Transport, overrides: Partial<Config> = {}) {
  const broker = await startBroker({ store: 'memory', ...overrides })
  return { broker, url: urlFor(broker, transport) }
}

describe.each(transports)('over %s', (transport: Transport) => {
  test('a maximum of 2: the first two topics keep theirs, a third goes in full without one', async () => {
    const { broker, url } = await start(transport)
    const sub = await subscriber(url, { topicAliasMaximum: 2 })
    await publishAll(broker, [
      ['a/1', 'one'],
      ['a/2', 'two'],
      ['a/3', 'three'],
      ['a/1', 'four'],
      ['a/3', 'five'],
      ['a/2', 'six'],
    ])
    expect(await wire(sub, 6)).toEqual([
      ['a/1', 1],
      ['a/2', 2],
      ['a/3', undefined],
      ['', 1],
      ['a/3', undefined],
      ['', 2],
    ])
  })

  test('a client that set 0 or no Topic Alias Maximum gets every topic in full', async () => {
    const { broker, url } = await start(transport)
    const zero = await subscriber(url, { topicAliasMaximum: 0 })
    await publishAll(broker, [
      ['a/x', 'one'],
      ['a/x', 'two'],
    ])
    expect(await wire(zero, 2)).toEqual([
      ['a/x', undefined],
      ['a/x', undefined],
    ])
    await zero.disconnect()

    const none = await subscriber(url, {})
    await publishAll(broker, [
      ['a/x', 'one'],
      ['a/x', 'two'],
    ])
    expect(await wire(none, 2)).toEqual([
      ['a/x', undefined],
      ['a/x', undefined],
    ])
  })

  test('--topic-alias-out false: every topic in full, whatever the client accepts', async () => {
    const { broker, url } = await start(transport, { topicAliasOut: false })
    const sub = await subscriber(url, { topicAliasMaximum: 5 })
    await publishAll(broker, [
      ['a/x', 'one'],
      ['a/x', 'two'],
    ])
    expect(await wire(sub, 2)).toEqual([
      ['a/x', undefined],
      ['a/x', undefined],
    ])
  })

  test('a PUBLISH its alias would take over the Maximum Packet Size goes in full without one', async () => {
    const { broker, url } = await start(transport)
    const fits = mqttPacket.generate(
      {
        cmd: 'publish',
        topic: 'a/x',
        payload: 'exactly-at-the-maximum',
        qos: 0,
        retain: false,
        dup: false,
      },
      { protocolVersion: 5 },
    ).length
    const sub = await subscriber(url, { topicAliasMaximum: 5, maximumPacketSize: fits })
    await publishAll(broker, [
      ['a/x', 'exactly-at-the-maximum'],
      ['a/x', 'short'],
      ['a/x', 'short'],
    ])
    expect(await wire(sub, 3)).toEqual([
      ['a/x', undefined],
      ['a/x', 1],
      ['', 1],
    ])
  })
})
