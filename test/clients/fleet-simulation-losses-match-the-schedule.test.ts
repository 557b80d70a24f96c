import { expect, test } from 'vitest'
import { simulate } from '../../clients/sim/main.ts'
import { makeSchedule, offlineTicks, predictedLost } from '../../clients/sim/schedule.ts'
import { startBroker } from '../helpers/broker.ts'

// Fast ticks (5 ms) and short periods: ~0.6 s of publishing per strategy.
const params = {
  seed: 20261125,
  devices: 6,
  messages: 120,
  rate: 200,
  offlineMeanMs: 100,
  onlineMeanMs: 150,
}

test('with a fixed seed, persistent loses nothing at QoS 1, clean and resubscribe lose what the schedule says', async () => {
  const broker = await startBroker()
  const schedule = makeSchedule(params)
  // the schedule is worth testing: every device goes offline at least once
  expect(schedule.offline.every((periods) => periods.length > 0)).toBe(true)
  const whileOffline = schedule.offline.reduce((n, p) => n + offlineTicks(p), 0)

  const report = await simulate({
    ...params,
    broker: broker.urls.mqtt,
    strategies: ['persistent', 'clean', 'resubscribe'],
    qos: 1,
    payloadBytes: 16,
    settleMs: 2000,
    api: null,
    reportMd: null,
    reportJson: null,
    json: false,
    help: false,
  })
  const [persistent, clean, resubscribe] = report.strategies
  const expected = params.devices * params.messages

  // persistent: the broker queued every message published while a device was away
  expect(persistent).toMatchObject({
    strategy: 'persistent',
    sent: 120,
    expected,
    lost: 0,
    duplicated: 0,
  })
  expect(persistent?.delivered).toBe(expected)
  expect(persistent?.sessionsLost).toBe(0)

  // clean: the subscription went with the session, so everything after a device's first drop is lost
  expect(clean).toMatchObject({ strategy: 'clean', lost: predictedLost(schedule, 'clean', 1) })
  expect(clean?.duplicated).toBe(0)

  // resubscribe: subscriptions come back, messages published while offline do not
  expect(resubscribe).toMatchObject({ strategy: 'resubscribe', lost: whileOffline, duplicated: 0 })
  expect(predictedLost(schedule, 'resubscribe', 1)).toBe(whileOffline)
  expect(predictedLost(schedule, 'clean', 1)).toBeGreaterThan(whileOffline)

  for (const s of report.strategies) {
    expect(s.reconnects).toBe(report.schedule.offlinePeriods)
    expect(s.lost).toBe(s.predictedLost)
  }
})
