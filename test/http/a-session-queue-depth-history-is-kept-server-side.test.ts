import mqtt from 'mqtt'
import { expect, onTestFinished, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { QueueDepthHistory } from '../../broker/metrics/history-types.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

async function client(broker: BrokerHandle, options: mqtt.IClientOptions) {
  const c = await mqtt.connectAsync(broker.urls.mqtt, { reconnectPeriod: 0, ...options })
  onTestFinished(() => c.endAsync(true))
  return c
}

test.each(['sqlite', 'memory'] as const)(
  'on the %s store, the queue depth of an offline session is sampled from its first queued message, before anyone asks',
  async (store) => {
    const clock = new ManualClock()
    const broker = await startBroker({ store }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const id = 'plant/boiler 1'
    const device = await client(broker, { clientId: id, clean: false })
    await device.subscribeAsync('plant/#', { qos: 1 })
    await device.endAsync()
    await changes.next('disconnect', id)
    const pub = await client(broker, { clientId: 'pub' })

    await pub.publishAsync('plant/temp', '81', { qos: 1 })
    const firstQueued = clock.now()
    clock.advance(5000)
    await broker.history.queueDepth.whenIdle()
    await pub.publishAsync('plant/temp', '82', { qos: 1 })
    await pub.publishAsync('plant/temp', '83', { qos: 1 })
    clock.advance(5000)
    await broker.history.queueDepth.whenIdle()

    const answer = await call<QueueDepthHistory>(broker, sessionPath(id, '/queue-depth'))
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      clientId: id,
      intervalMs: 5000,
      times: [firstQueued + 5000, firstQueued + 10_000],
      depth: [1, 3],
      bytes: [2, 6],
    })
  },
)

test('a session nobody tracked yet answers one sample taken now, and is sampled from then on', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory' }, { clock })
  await client(broker, { clientId: 'quiet', clean: false })
  const first = await call<QueueDepthHistory>(broker, sessionPath('quiet', '/queue-depth'))
  expect(first.body).toMatchObject({ times: [clock.now()], depth: [0], bytes: [0] })
  clock.advance(5000)
  await broker.history.queueDepth.whenIdle()
  const second = await call<QueueDepthHistory>(broker, sessionPath('quiet', '/queue-depth'))
  expect(second.body.depth).toEqual([0, 0])
})

test('an unknown ClientID is a 404 and is not tracked; other methods are a 405', async () => {
  const broker = await startBroker({ store: 'memory' })
  const missing = await call<ErrorAnswer>(broker, sessionPath('nobody', '/queue-depth'))
  expect(missing.status).toBe(404)
  expect(missing.body.error).toEqual({
    code: 'NOT_FOUND',
    reason: 'no session for ClientID "nobody"',
  })
  expect(broker.history.queueDepth.has('nobody')).toBe(false)
  const post = await call<ErrorAnswer>(broker, sessionPath('nobody', '/queue-depth'), {
    method: 'POST',
  })
  expect(post.status).toBe(405)
  expect(post.headers.get('allow')).toBe('GET')
})
