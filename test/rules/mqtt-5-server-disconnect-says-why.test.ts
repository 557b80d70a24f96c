import type { IDisconnectPacket } from 'mqtt'
import { describe, expect, test } from 'vitest'
import { startNode } from '../cluster/cluster.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { connect5, nextDisconnect } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'

// MQTT 5: the server says why it closes a connection, with a DISCONNECT
// and a reason code [MQTT-3.14.2-1]; MQTT.js hands it to 'disconnect'.
describe.each(transports)('over %s', (transport) => {
  test('a takeover: 0x8E to the old connection [MQTT-3.1.4-3]', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    const { client: old } = await connect5(url, { clientId: 'dev' })
    const said = nextDisconnect(old)
    await connect5(url, { clientId: 'dev' })
    expect((await said).reasonCode).toBe(0x8e)
  })

  test('a keepalive timeout: 0x8D, where aedes only closes [MQTT-3.1.2-22]', async () => {
    const broker = await startBroker({ store: 'memory' })
    const raw = await RawClient.open(urlFor(broker, transport), { protocolVersion: 5 })
    // a raw client: it never sends PINGREQ, so 1.5 × 1 s later the broker gives up
    raw.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'quiet',
      clean: true,
      keepalive: 1,
    })
    expect((await raw.next('connack')).reasonCode).toBe(0)
    const said = await raw.next('disconnect')
    expect(said.reasonCode).toBe(0x8d)
    await raw.waitClosed()
  })

  test('shutting down: 0x8B', async () => {
    const broker = await startBroker({ store: 'memory' })
    const { client } = await connect5(urlFor(broker, transport), { clientId: 'dev' })
    const said = nextDisconnect(client)
    const closing = broker.close()
    expect((await said).reasonCode).toBe(0x8b)
    await closing
  })

  test('a packet over --max-packet-size: 0x95', async () => {
    const broker = await startBroker({ store: 'memory', maxPacketSize: 1024 })
    const { client } = await connect5(urlFor(broker, transport), { clientId: 'dev' })
    const said = nextDisconnect(client)
    client.publish('big', Buffer.alloc(4096))
    expect((await said).reasonCode).toBe(0x95)
  })
})

test('a consumer closed by --max-pending-deliveries: 0x97 (quota exceeded)', async () => {
  // a window of 1: messages the client does not acknowledge pile up as pending deliveries
  const broker = await startBroker({ store: 'memory', maxInflight: 1, maxPendingDeliveries: 5 })
  const slow = await RawClient.open(broker.urls.mqtt, { protocolVersion: 5 })
  slow.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'slow',
    clean: true,
    keepalive: 0,
  })
  await slow.next('connack')
  slow.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'flood', qos: 1 }] })
  await slow.next('suback')
  const { client: pub } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  for (let i = 0; i < 10; i++) await pub.publishAsync('flood', `m${i}`, { qos: 1 })
  expect((await slow.next('disconnect')).reasonCode).toBe(0x97)
  await slow.waitClosed()
})

test('3.1.1 clients get no DISCONNECT: their connection is closed as before', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev' })
  await client.waitClosed()
  expect(client.unread.map((p) => p.cmd)).toEqual([])
})

describe.runIf(redisAvailable())('in a cluster', () => {
  test('a takeover from another node: 0x8E too', { timeout: 30_000 }, async () => {
    const redis = await startRedis()
    try {
      const a = await startNode(redis.url, 'node-a')
      const b = await startNode(redis.url, 'node-b')
      const { client: old } = await connect5(a.mqttUrl, { clientId: 'dev', clean: false })
      const said: Promise<IDisconnectPacket> = nextDisconnect(old)
      await connect5(b.mqttUrl, { clientId: 'dev', clean: false })
      expect((await said).reasonCode).toBe(0x8e)
    } finally {
      await redis.stop()
    }
  })
})
