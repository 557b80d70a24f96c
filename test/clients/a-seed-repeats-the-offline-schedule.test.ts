import { expect, test } from 'vitest'
import { makeSchedule, predictedLost } from '../../clients/sim/schedule.ts'

const params = {
  seed: 7,
  devices: 4,
  messages: 300,
  rate: 100,
  offlineMeanMs: 300,
  onlineMeanMs: 500,
}

test('the same seed gives the same schedule; another seed another one', () => {
  expect(makeSchedule(params)).toEqual(makeSchedule(params))
  expect(makeSchedule({ ...params, seed: 8 }).offline).not.toEqual(makeSchedule(params).offline)
})

test('offline periods start after an online period, do not overlap, and end by the last message', () => {
  for (const periods of makeSchedule(params).offline) {
    let online = 0
    for (const p of periods) {
      expect(p.from).toBeGreaterThan(online)
      expect(p.to).toBeGreaterThan(p.from)
      expect(p.to).toBeLessThanOrEqual(params.messages)
      online = p.to
    }
  }
})

test('predicted losses follow from the periods', () => {
  const schedule = {
    seed: 0,
    devices: 2,
    messages: 100,
    tickMs: 10,
    offline: [
      [
        { from: 10, to: 20 },
        { from: 50, to: 55 },
      ],
      [],
    ],
  }
  expect(predictedLost(schedule, 'persistent', 1)).toBe(0)
  expect(predictedLost(schedule, 'persistent', 0)).toBe(15)
  expect(predictedLost(schedule, 'resubscribe', 1)).toBe(15)
  expect(predictedLost(schedule, 'clean', 2)).toBe(90)
})
