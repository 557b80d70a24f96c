import { expect, test } from 'vitest'
import { simulate } from '../../clients/sim/main.ts'
import { formatMarkdown } from '../../clients/sim/report.ts'
import {
  makeSchedule,
  offlineTicks,
  predictedLost,
  type Schedule,
} from '../../clients/sim/schedule.ts'
import { startBroker } from '../helpers/broker.ts'

test('expiry:N predicts the messages of every offline period longer than N s as lost', () => {
  // 10 ticks a second: periods of 0.5 s, 1.5 s and 3 s
  const schedule: Schedule = {
    seed: 1,
    devices: 2,
    messages: 100,
    tickMs: 100,
    offline: [
      [
        { from: 10, to: 15 },
        { from: 30, to: 45 },
      ],
      [{ from: 50, to: 80 }],
    ],
  }
  expect(predictedLost(schedule, 'expiry:1', 1)).toBe(15 + 30)
  expect(predictedLost(schedule, 'expiry:2', 1)).toBe(30)
  expect(predictedLost(schedule, 'expiry:3', 2)).toBe(0)
  // QoS 0 is not queued for an offline session: all of it is lost, as for persistent
  expect(predictedLost(schedule, 'expiry:3', 0)).toBe(5 + 15 + 30)
})

// Offline periods last 2-6 s, well past a 1 s expiry and well within a 30 s one,
// except one the end of the run cuts short.
const params = {
  seed: 7,
  devices: 3,
  messages: 240,
  rate: 40,
  offlineMeanMs: 4000,
  onlineMeanMs: 1000,
}

test('against SessionLab, expiry:1 loses what was published while away and expiry:30 nothing, as predicted', {
  timeout: 60_000,
}, async () => {
  const broker = await startBroker()
  const schedule = makeSchedule(params)
  expect(schedule.offline.every((periods) => periods.length > 0)).toBe(true)
  // the messages of every period longer than 1 s: those the session outlives are not lost
  const longerThan1s = schedule.offline.reduce(
    (n, periods) =>
      n + offlineTicks(periods.filter((p) => (p.to - p.from) * (1000 / params.rate) > 1000)),
    0,
  )
  expect(longerThan1s).toBeGreaterThan(0)

  const report = await simulate({
    ...params,
    broker: broker.urls.mqtt,
    strategies: ['expiry:1', 'expiry:30'],
    qos: 1,
    payloadBytes: 16,
    settleMs: 3000,
    api: null,
    reportMd: null,
    reportJson: null,
    json: false,
    help: false,
  })
  const [short, long] = report.strategies

  // each session ended 1 s into its device's absence, and its queue with it
  expect(short).toMatchObject({
    strategy: 'expiry:1',
    predictedLost: longerThan1s,
    lost: longerThan1s,
    duplicated: 0,
  })
  // each session outlived the absence and delivered its queue
  expect(long).toMatchObject({ strategy: 'expiry:30', predictedLost: 0, lost: 0, duplicated: 0 })
  expect(long?.delivered).toBe(params.devices * params.messages)

  // the report names the strategy and says how its loss is predicted
  const markdown = formatMarkdown(report)
  expect(markdown).toMatch(/^\| expiry:1 \| 240 \| 720 \|/m)
  expect(markdown).toContain('expiry:N (an MQTT 5 Session Expiry Interval of N s)')
})
