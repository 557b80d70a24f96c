import type { IConnackPacket, IPublishPacket, Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { MAX_INBOUND_QOS2 } from '../../broker/aedes/safeguards.ts'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { type StoreKind, startOn, stores } from './stores.ts'

// MQTT 5 Receive Maximum: the broker never has more unacknowledged QoS 1/2
// PUBLISHes out to a client than the client's Receive Maximum
// [MQTT-3.3.4-9]; with --max-inflight the smaller of both. The broker's
// own is told in CONNACK, and a client past it gets DISCONNECT 0x93
// [MQTT-3.3.4-8].

/** A raw MQTT 5 connection of `clientId` asking for `receiveMaximum`. */
async function rawV5(broker: BrokerHandle, clientId: string, receiveMaximum: number, clean = true) {
  const client = await RawClient.open(broker.urls.mqtt, { protocolVersion: 5 })
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId,
    clean,
    keepalive: 0,
    properties: { receiveMaximum, ...(clean ? {} : { sessionExpiryInterval: 3600 }) },
  } as Packet)
  const connack = (await client.next('connack')) as IConnackPacket
  return { client, connack }
}

async function publishMany(broker: BrokerHandle, count: number): Promise<void> {
  const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  for (let i = 0; i < count; i++) await client.publishAsync('t', String(i), { qos: 1 })
  await client.endAsync()
}

/** The PUBLISHes received so far and not taken, after a round trip. */
async function inFlight(client: RawClient): Promise<IPublishPacket[]> {
  await client.ping()
  return client.unread.filter((p) => p.cmd === 'publish') as IPublishPacket[]
}

describe.each(stores)('on the %s store', (store: StoreKind) => {
  test('live: no more unacknowledged PUBLISHes than the Receive Maximum; each PUBACK frees one', async () => {
    const broker = (await startOn(store)).broker()
    const { client } = await rawV5(broker, 'dev', 2)
    client.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 't', qos: 1 }],
    } as Packet)
    await client.next('suback')
    await publishMany(broker, 5)

    const first = await client.next('publish')
    await client.next('publish')
    expect(await inFlight(client)).toHaveLength(0)
    client.send({ cmd: 'puback', messageId: first.messageId } as Packet)
    expect(String((await client.next('publish')).payload)).toBe('2')
    expect(await inFlight(client)).toHaveLength(0)
  })

  test('--max-inflight smaller than the Receive Maximum wins', async () => {
    const broker = (await startOn(store, { maxInflight: 1 })).broker()
    const { client } = await rawV5(broker, 'dev', 5)
    client.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 't', qos: 1 }],
    } as Packet)
    await client.next('suback')
    await publishMany(broker, 3)
    await client.next('publish')
    expect(await inFlight(client)).toHaveLength(0)
  })

  test('a resumed queue goes through the same window', async () => {
    const broker = (await startOn(store)).broker()
    const { client: first } = await rawV5(broker, 'dev', 2, false)
    first.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 't', qos: 1 }],
    } as Packet)
    await first.next('suback')
    first.send({ cmd: 'disconnect' } as Packet)
    await publishMany(broker, 5)

    const { client } = await rawV5(broker, 'dev', 2, false)
    const one = await client.next('publish')
    await client.next('publish')
    expect(await inFlight(client)).toHaveLength(0)
    client.send({ cmd: 'puback', messageId: one.messageId } as Packet)
    expect(String((await client.next('publish')).payload)).toBe('2')
  })
})

test('CONNACK tells the broker Receive Maximum; a client past it gets DISCONNECT 0x93', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client, connack } = await rawV5(broker, 'flood', 10)
  expect(connack.properties?.receiveMaximum).toBe(MAX_INBOUND_QOS2)
  for (let messageId = 1; messageId <= MAX_INBOUND_QOS2 + 1; messageId++) {
    client.send({
      cmd: 'publish',
      topic: 'q2',
      payload: Buffer.from('x'),
      qos: 2,
      messageId,
      retain: false,
      dup: false,
    } as Packet)
  }
  const disconnect = await client.next('disconnect')
  expect(disconnect.reasonCode).toBe(0x93)
})
