import { expect, test } from 'vitest'
import { LoadAverage } from '../../broker/metrics/load.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

/** Mosquitto's calc_load: new = rate + e^(-interval/window) * (old - rate). */
function mosquitto(old: number, perMinute: number, seconds: number, window: number): number {
  return perMinute + Math.exp(-seconds / window) * (old - perMinute)
}

test('each update pulls the 1, 5 and 15 minute averages toward the rate per minute', () => {
  const load = new LoadAverage()
  load.update(60, 60) // 60 in the first minute
  expect(load.get('1min')).toBeCloseTo(mosquitto(0, 60, 60, 60), 10)
  expect(load.get('5min')).toBeCloseTo(mosquitto(0, 60, 60, 300), 10)
  expect(load.get('15min')).toBeCloseTo(mosquitto(0, 60, 60, 900), 10)
  expect(load.get('1min')).toBeCloseTo(37.93, 2) // 60 * (1 - 1/e)

  load.update(60, 30) // nothing more in the next half minute
  expect(load.get('1min')).toBeCloseTo(mosquitto(mosquitto(0, 60, 60, 60), 0, 30, 60), 10)
})

test('a steady rate is reached whatever the interval, and a zero interval changes nothing', () => {
  const often = new LoadAverage()
  const seldom = new LoadAverage()
  // three hours: long enough for the 15 minute average too (e^-12 of the start is left)
  for (let s = 1; s <= 10_800; s++) often.update(s * 2, 1) // 2 a second, updated every second
  for (let s = 60; s <= 10_800; s += 60) seldom.update(s * 2, 60) // the same, every minute
  for (const window of ['1min', '5min', '15min'] as const) {
    expect(often.get(window)).toBeCloseTo(120, 1)
    expect(seldom.get(window)).toBeCloseTo(120, 1)
  }
  often.update(30_000, 0)
  expect(often.get('1min')).toBeCloseTo(120, 1)
})

test('$SYS/broker/load/... follow the messages and bytes between ticks of the injected clock', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory', sysInterval: 10 }, { clock })
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('$SYS/broker/load/#', 0)
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  for (let i = 1; i <= 5; i++) await publish(pub, 'load/x', 'm', 1, i)

  clock.advance(10_000) // one tick, 10 s after the start: 5 messages in 10 s are 30 a minute
  const values = new Map<string, string>()
  const wanted = [
    '$SYS/broker/load/messages/received/1min',
    '$SYS/broker/load/messages/received/15min',
    '$SYS/broker/load/connections/1min',
    '$SYS/broker/load/bytes/received/1min',
  ]
  while (wanted.some((topic) => values.get(topic) === undefined || values.get(topic) === '0.00')) {
    const p = await watcher.next('publish')
    values.set(p.topic, p.payload.toString())
  }
  expect(values.get('$SYS/broker/load/messages/received/1min')).toBe(
    mosquitto(0, 30, 10, 60).toFixed(2), // 4.61
  )
  expect(values.get('$SYS/broker/load/messages/received/15min')).toBe(
    mosquitto(0, 30, 10, 900).toFixed(2),
  )
  // watcher and pub: 2 connections in 10 s are 12 a minute
  expect(values.get('$SYS/broker/load/connections/1min')).toBe(mosquitto(0, 12, 10, 60).toFixed(2))
  expect(Number(values.get('$SYS/broker/load/bytes/received/1min'))).toBeGreaterThan(0)
})
