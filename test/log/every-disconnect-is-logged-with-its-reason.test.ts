import { connect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startLoggedBroker } from './logged-broker.ts'

test('keepalive, protocol error and an operator’s disconnect each say why', async () => {
  const { broker, log } = await startLoggedBroker()
  await RawClient.connect(broker.urls.mqtt, { clientId: 'quiet', keepalive: 1 })
  const { client: twice } = await RawClient.connect(broker.urls.mqtt, { clientId: 'twice' })
  twice.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 'twice',
  } as Packet)
  await RawClient.connect(broker.urls.mqtt, { clientId: 'ops' })
  await broker.sessions.disconnect('ops')

  expect((await log.line(/client quiet disconnected/)).line).toMatch(
    /info {2}client quiet disconnected \(keepalive\): nothing received within 1\.5 times its keepalive\n$/,
  )
  // a fault the broker closed the connection for is a warning, on stderr
  expect(await log.line(/client twice disconnected/)).toEqual({
    stream: 'stderr',
    line: expect.stringMatching(
      / warn {2}client twice disconnected \(protocol-error\): protocol error\n$/,
    ),
  })
  expect((await log.line(/client ops disconnected/)).line).toMatch(
    /info {2}client ops disconnected \(admin\): by an operator\n$/,
  )
})

test('a slow consumer’s close is a warning naming the bound it passed', async () => {
  const { broker, log } = await startLoggedBroker(
    { maxPendingDeliveries: 100, maxPendingBytes: 0 },
    { format: 'json' },
  )
  const changes = new SessionChanges(broker.sessions)
  const url = new URL(broker.urls.mqtt)
  // a subscriber that never reads: its socket buffers fill and stay full
  const stuck = connect({ port: Number(url.port), host: url.hostname })
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()))
  stuck.on('error', () => {})
  const connectPacket = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 'stuck',
  }
  stuck.write(mqttPacket.generate({ ...connectPacket, clean: true, keepalive: 0 } as Packet))
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

  expect(await log.json({ event: 'disconnect', clientId: 'stuck' })).toMatchObject({
    level: 'warn',
    reason: 'slow-consumer',
    msg: 'client stuck disconnected (slow-consumer): slow consumer: it stopped reading, over 100 deliveries waiting to be written',
    stream: 'stderr',
  })
  stuck.destroy()
})

test('the disconnects of a shutdown are logged at debug only: one line per client would flood the log', async () => {
  const quiet = await startLoggedBroker()
  const chatty = await startLoggedBroker({}, { level: 'debug' })
  for (const { broker } of [quiet, chatty]) {
    await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
  }
  await quiet.log.line(/client dev connected/)
  await chatty.log.line(/client dev connected/)

  await quiet.broker.close()
  await chatty.broker.close()

  expect((await chatty.log.line(/client dev disconnected/)).line).toMatch(
    /debug client dev disconnected \(shutdown\): the broker is shutting down\n$/,
  )
  expect(quiet.log.written.filter((w) => w.line.includes('disconnected'))).toEqual([])
})
