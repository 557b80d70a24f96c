import { connect } from 'node:net'
import mqttPacket from 'mqtt-packet'
import { expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

test('a subscriber that stops reading, then disconnects, does not stall or crash the broker', async () => {
  const broker = await startBroker({ maxPendingDeliveries: 2000 })
  const url = new URL(broker.urls.mqtt)

  // A subscriber that never reads: its socket buffers fill and stay full.
  const stuck = connect({ port: Number(url.port), host: url.hostname })
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()))
  stuck.pause()
  const stuckSubscribed = new Promise<void>((resolve) =>
    broker.aedes.on('subscribe', (_subs, client) => {
      if (client.id === 'stuck') resolve()
    }),
  )
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
      subscriptions: [{ topic: 'flood', qos: 1 }],
    }),
  )
  const stuckDropped = new Promise<void>((resolve) =>
    broker.aedes.on('clientDisconnect', (client) => {
      if (client.id === 'stuck') resolve()
    }),
  )

  const { client: bystander } = await RawClient.connect(broker.urls.mqtt, { clientId: 'bystander' })
  await bystander.subscribe('other', 1)
  const { client: flooder } = await RawClient.connect(broker.urls.mqtt, { clientId: 'flooder' })
  await stuckSubscribed
  const payload = Buffer.alloc(4096, 1)
  for (let i = 0; i < 6000; i++) {
    flooder.send({
      cmd: 'publish',
      topic: 'flood',
      payload,
      qos: 0,
      retain: false,
      dup: false,
    } as never)
  }
  await flooder.ping()

  // The bystander is served while the stuck subscriber holds its backlog.
  flooder.send({
    cmd: 'publish',
    topic: 'other',
    payload: Buffer.from('still here'),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  })
  expect((await bystander.next('publish')).payload.toString()).toBe('still here')

  // Past the limit of unwritten deliveries the stuck subscriber is dropped...
  await stuckDropped
  stuck.resume()
  await new Promise<void>((resolve) => stuck.once('close', () => resolve()))
  // ...and the broker keeps serving everyone else.
  flooder.send({
    cmd: 'publish',
    topic: 'other',
    payload: Buffer.from('after'),
    qos: 1,
    messageId: 2,
    retain: false,
    dup: false,
  })
  expect((await bystander.next('publish')).payload.toString()).toBe('after')
  expect(liveClientIds(broker.aedes).sort()).toEqual(['bystander', 'flooder'])
})
