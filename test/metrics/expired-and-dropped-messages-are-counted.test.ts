import { expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { sysValues } from '../../broker/sys.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call } from '../http/http-client.ts'
import { sample } from './prom-text.ts'

async function scrape(broker: BrokerHandle): Promise<string> {
  return (await call<string>(broker, '/metrics')).text
}

test('a session expired by --session-expiry counts in metrics and $SYS, also when it expires at start-up', async () => {
  const clock = new ManualClock()
  const settings = { dataDir: tempDir(), sessionExpiry: 60, sysInterval: 0 }
  const broker = await startBroker(settings, { clock })
  for (const clientId of ['old-1', 'old-2']) {
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
    await client.disconnect()
  }
  clock.advance(30_000)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'later', clean: false })
  await client.disconnect()

  const changes = new SessionChanges(broker.sessions)
  clock.advance(31_000) // the expiry check: old-1 and old-2 61 s offline, later 31 s
  await changes.next('expired')
  await changes.next('expired')
  await broker.stats.sessions() // the check's discards are in
  let text = await scrape(broker)
  expect(sample(text, 'sessionlab_expired_sessions_total')).toBe(2)
  expect(sample(text, 'sessionlab_sessions', { state: 'offline' })).toBe(1)
  expect(await sysValues(broker.stats)).toMatchObject({
    '$SYS/broker/clients/expired': '2',
    '$SYS/broker/clients/disconnected': '1',
  })
  await broker.close()

  // the broker is down past the last session's expiry: it expires before clients can connect
  clock.advance(60_000)
  const again = await startBroker(settings, { clock })
  text = await scrape(again)
  expect(sample(text, 'sessionlab_expired_sessions_total')).toBe(1)
  expect(sample(text, 'sessionlab_sessions', { state: 'offline' })).toBe(0)
  expect((await sysValues(again.stats))['$SYS/broker/clients/expired']).toBe('1')
})

test('the uptime of /healthz and $SYS follows the broker clock', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory' }, { clock })
  clock.advance(42_500)
  const health = await call<{ uptime: number }>(broker, '/healthz')
  expect(health.body.uptime).toBe(42)
  expect((await sysValues(broker.stats))['$SYS/broker/uptime']).toBe('42 seconds')
})

test('messages a full queue drops are counted by reason, in metrics and $SYS', async () => {
  const broker = await startBroker({ store: 'memory', queueMaxMessages: 2, sysInterval: 0 })
  const { client: sub } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'sub',
    clean: false,
  })
  await sub.subscribe('q', 1)
  await sub.disconnect()
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  const changes = new SessionChanges(broker.sessions)
  for (const messageId of [1, 2, 3, 4]) {
    pub.send({
      cmd: 'publish',
      topic: 'q',
      payload: Buffer.from(`m${messageId}`),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    })
    await pub.next('puback')
  }
  await changes.next('dropped')
  await changes.next('dropped')

  const text = await scrape(broker)
  expect(sample(text, 'sessionlab_dropped_messages_total', { reason: 'queue-full' })).toBe(2)
  expect(sample(text, 'sessionlab_dropped_messages_total', { reason: 'queue-bytes' })).toBe(0)
  expect(sample(text, 'sessionlab_queued_messages')).toBe(2)
  expect((await sysValues(broker.stats))['$SYS/broker/publish/messages/dropped']).toBe('2')
})
