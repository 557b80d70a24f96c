import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { connect5, messages, open5 } from '../helpers/mqtt5.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { type StoreKind, startOn, stores } from './stores.ts'

// MQTT 5 Maximum Packet Size: the broker does not send a client a packet
// larger than the Maximum Packet Size its CONNECT set [MQTT-3.1.2-24]; such
// a PUBLISH is dropped as if it had been delivered [MQTT-3.1.2-25], and
// counted. The broker's own (--max-packet-size) is told in CONNACK.

const big = Buffer.alloc(500, 'x')

async function publish(broker: BrokerHandle, topic: string, payload: Buffer | string, qos: 0 | 1) {
  const { client } = await connect5(broker.urls.mqtt, { clientId: `pub-${topic}` })
  await client.publishAsync(topic, payload, { qos })
  await client.endAsync()
}

describe.each(stores)('on the %s store', (store: StoreKind) => {
  test('CONNACK tells --max-packet-size', async () => {
    const broker = (await startOn(store, { maxPacketSize: 4096 })).broker()
    const { connack } = await connect5(broker.urls.mqtt, { clientId: 'dev' })
    expect(connack.properties?.maximumPacketSize).toBe(4096)
  })

  test('live: a PUBLISH too large for the client is dropped and counted, the next one sent', async () => {
    const broker = (await startOn(store)).broker()
    const { client } = await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      properties: { maximumPacketSize: 100 },
    })
    await client.subscribeAsync('t/#', { qos: 1 })
    const got = messages(client, 1)
    const changes = new SessionChanges(broker.sessions)
    await publish(broker, 't/big0', big, 0)
    await publish(broker, 't/big1', big, 1)
    await publish(broker, 't/small', 'ok', 1)
    expect((await got).map((m) => m.topic)).toEqual(['t/small'])
    expect((await changes.next('dropped', 'dev')).event).toMatchObject({ why: 'too-large' })
    expect(broker.policies.counters.droppedBy['too-large']).toBe(2)
  })

  test('resumed: a queued PUBLISH too large for the client leaves the queue unsent', async () => {
    const broker = (await startOn(store)).broker()
    const session = { clientId: 'dev', clean: false, properties: { sessionExpiryInterval: 600 } }
    const { client } = await connect5(broker.urls.mqtt, session)
    await client.subscribeAsync('t/#', { qos: 1 })
    await client.endAsync()
    await publish(broker, 't/big', big, 1)
    await publish(broker, 't/small', 'ok', 1)

    const back = open5(broker.urls.mqtt, {
      ...session,
      properties: { ...session.properties, maximumPacketSize: 100 },
    })
    const [first] = await messages(back, 1)
    expect(first.topic).toBe('t/small')
    expect(broker.policies.counters.droppedBy['too-large']).toBe(1)
    await broker.store.flush()
    const left = await broker.store.outgoingStream({ id: 'dev' }).toArray()
    expect(left.map((e: { topic?: string }) => e.topic)).not.toContain('t/big')
  })
})
