import mqtt from 'mqtt'
import { expect, onTestFinished, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { MetricHistory } from '../../broker/metrics/history-types.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call, type ErrorAnswer } from './http-client.ts'

async function client(broker: BrokerHandle, options: mqtt.IClientOptions) {
  const c = await mqtt.connectAsync(broker.urls.mqtt, { reconnectPeriod: 0, ...options })
  onTestFinished(() => c.endAsync(true))
  return c
}

/** Moves the broker's clock one interval on and waits for the sample it takes. */
async function tick(broker: BrokerHandle, clock: ManualClock) {
  clock.advance(broker.history.sampler.intervalMs)
  return broker.history.sampler.sampleNow()
}

test('GET /api/metrics/history: sample times and one column per series, rates from the counters', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory', queueMaxMessages: 2 }, { clock })
  const started = clock.now()
  const changes = new SessionChanges(broker.sessions)
  const sub = await client(broker, { clientId: 'sub', clean: false })
  await sub.subscribeAsync('plant/#', { qos: 1 })
  const away = await client(broker, { clientId: 'away', clean: false })
  await away.subscribeAsync('plant/#', { qos: 1 })
  await away.endAsync()
  await changes.next('disconnect', 'away')
  const pub = await client(broker, { clientId: 'pub' })
  await broker.history.sampler.sampleNow() // the one taken at start, before any of this
  await tick(broker, clock)

  // 10 messages in 5 s: 2/s in, 2/s out to `sub`; `away` keeps 2 of them, 8 dropped
  const delivered = new Promise<void>((resolve) => {
    let n = 0
    sub.on('message', () => {
      if (++n === 10) resolve()
    })
  })
  for (let i = 0; i < 10; i++) await pub.publishAsync('plant/temp', String(i), { qos: 1 })
  await delivered
  await tick(broker, clock)

  const answer = await call<MetricHistory>(broker, '/api/metrics/history')
  expect(answer.status).toBe(200)
  const history = answer.body
  expect(history.intervalMs).toBe(5000)
  expect(history.capacity).toBe(720)
  expect(history.times).toEqual([started, started + 5000, started + 10_000])
  expect(history.series.connections.at(-1)).toBe(2)
  expect(history.series.online.at(-1)).toBe(2)
  expect(history.series.offline.at(-1)).toBe(1)
  expect(history.series.queued.at(-1)).toBe(2)
  expect(history.series.receivedPerSec).toEqual([null, 0, 2])
  expect(history.series.sentPerSec.at(-1)).toBe(2)
  expect(history.series.droppedPerSec.at(-1)).toBe(8 / 5)
  expect(history.latest).toMatchObject({ at: started + 10_000, received: 10, dropped: 8 })
  for (const column of Object.values(history.series)) expect(column).toHaveLength(3)
})

test('the history is read-only: other methods are refused with the methods allowed', async () => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, '/api/metrics/history', { method: 'POST' })
  expect(answer.status).toBe(405)
  expect(answer.headers.get('allow')).toBe('GET')
  expect(answer.body.error.code).toBe('METHOD_NOT_ALLOWED')
})

test('closing the broker stops the sampling', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory' }, { clock })
  await broker.history.sampler.sampleNow()
  await broker.close()
  clock.advance(5000)
  expect(await broker.history.sampler.sampleNow()).toBeNull()
  expect(broker.history.sampler.history().times).toHaveLength(1)
})
