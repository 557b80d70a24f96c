import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startLoggedBroker } from './logged-broker.ts'

const will = { topic: 'status/dev1', payload: 'offline', qos: 1, retain: true } as const

test('a connection lost without DISCONNECT: its Will is logged, and in the history before the disconnect', async () => {
  const { broker, log } = await startLoggedBroker()
  const changes = new SessionChanges(broker.sessions)
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('status/#', 1)
  const { client } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
    will,
  })

  await client.destroy()
  expect((await watcher.next('publish')).payload.toString()).toBe('offline') // [MQTT-3.1.2-8]

  expect((await log.line(/Will published/)).line).toMatch(
    / info {2}client dev1: Will published to status\/dev1 \(QoS 1, retained, 7 B\)\n$/,
  )
  await changes.next('disconnect', 'dev1')
  const history = (await broker.sessions.get('dev1'))?.history ?? []
  expect(history.slice(-2)).toEqual([
    { type: 'will', at: expect.any(Number), topic: 'status/dev1', qos: 1, retain: true, bytes: 7 },
    { type: 'disconnect', at: expect.any(Number), reason: 'network' },
  ])
})

test('the Wills the broker publishes as it shuts down are logged too, as JSON with their fields', async () => {
  const { broker, log } = await startLoggedBroker({}, { format: 'json' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1', will })
  await log.json({ event: 'connect' })

  await broker.close()

  expect(await log.json({ event: 'will' })).toMatchObject({
    level: 'info',
    clientId: 'dev1',
    topic: 'status/dev1',
    qos: 1,
    retain: true,
    bytes: 7,
  })
})

test('no Will line after DISCONNECT [MQTT-3.14.4-3], nor for a Will suppressed on takeover', async () => {
  const { broker, log } = await startLoggedBroker({ takeoverWill: 'suppress' })
  const polite = await RawClient.connect(broker.urls.mqtt, { clientId: 'polite', will })
  const old = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1', will })
  await polite.client.disconnect()
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1' })
  await old.client.waitClosed()
  await log.line(/client polite disconnected/)
  await log.line(/client dev1 already connected/)
  // a Will that is due is published before its connection is unregistered: it would be here now
  const { client: rude } = await RawClient.connect(broker.urls.mqtt, { clientId: 'rude', will })
  await rude.destroy()
  await log.line(/client rude disconnected/)

  expect(log.written.filter((w) => w.line.includes('Will')).map((w) => w.line)).toEqual([
    expect.stringContaining('client rude: Will published'),
  ])
})
