import { connect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(transports)('over %s', (transport) => {
  test('DISCONNECT is the client’s reason, a dropped connection the network’s', async () => {
    const broker = await startBroker()
    const changes = new SessionChanges(broker.sessions)
    const url = urlFor(broker, transport)
    const polite = await RawClient.connect(url, { clientId: 'polite', clean: false })
    const rude = await RawClient.connect(url, { clientId: 'rude', clean: false })

    await polite.client.disconnect()
    await rude.client.destroy()

    expect((await changes.next('disconnect', 'polite')).event.reason).toBe('client')
    expect((await changes.next('disconnect', 'rude')).event.reason).toBe('network')
    const offline = await broker.sessions.list({ limit: 10, state: 'offline' })
    expect(offline.sessions.map((s) => s.clientId)).toEqual(['polite', 'rude'])
  })

  test('a client silent past 1.5x its keepalive is closed for keepalive', async () => {
    const broker = await startBroker()
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(urlFor(broker, transport), {
      clientId: 'quiet',
      keepalive: 1,
    })
    await client.waitClosed()
    expect((await changes.next('disconnect', 'quiet')).event.reason).toBe('keepalive')
  })

  test('a malformed packet or a second CONNECT is a protocol error', async () => {
    const broker = await startBroker()
    const changes = new SessionChanges(broker.sessions)
    const url = urlFor(broker, transport)
    const { client: broken } = await RawClient.connect(url, { clientId: 'broken' })
    broken.writeRaw(Buffer.from([0x80, 0x02, 0x00, 0x01])) // SUBSCRIBE with reserved flags 0000 [MQTT-3.8.1-1]
    const { client: twice } = await RawClient.connect(url, { clientId: 'twice' })
    twice.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'twice',
    } as Packet)

    await broken.waitClosed()
    await twice.waitClosed()
    expect((await changes.next('disconnect', 'broken')).event.reason).toBe('protocol-error')
    expect((await changes.next('disconnect', 'twice')).event.reason).toBe('protocol-error') // [MQTT-3.1.0-2]
  })
})

test('closing the broker disconnects every client for shutdown', async () => {
  const broker = await startBroker()
  const changes = new SessionChanges(broker.sessions)
  await RawClient.connect(broker.urls.mqtt, { clientId: 'a', clean: false })
  await RawClient.connect(broker.urls.ws, { clientId: 'b' })

  await broker.close()

  const reasons = changes.all.flatMap(({ clientId, event }) =>
    event.type === 'disconnect' ? [[clientId, event.reason]] : [],
  )
  expect(reasons.sort()).toEqual([
    ['a', 'shutdown'],
    ['b', 'shutdown'],
  ])
})

test('a subscriber too slow to take its deliveries is closed as a slow consumer', async () => {
  const broker = await startBroker({ store: 'memory', maxPendingDeliveries: 100 })
  const changes = new SessionChanges(broker.sessions)
  const url = new URL(broker.urls.mqtt)
  // A subscriber that never reads: its socket buffers fill and stay full.
  const stuck = connect({ port: Number(url.port), host: url.hostname })
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()))
  stuck.on('error', () => {})
  stuck.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'stuck',
      clean: true,
      keepalive: 0,
    }),
  )
  stuck.write(
    mqttPacket.generate({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'f', qos: 0 }],
    }),
  )
  stuck.pause()
  await changes.next('subscribe', 'stuck')

  const { client: flooder } = await RawClient.connect(broker.urls.mqtt, { clientId: 'flooder' })
  const payload = Buffer.alloc(64 * 1024, 1)
  const flood = { cmd: 'publish', topic: 'f', payload, qos: 0, retain: false, dup: false }
  for (let i = 0; i < 600; i++) flooder.send(flood as Packet)

  expect((await changes.next('disconnect', 'stuck')).event.reason).toBe('slow-consumer')
  stuck.destroy()
})
