import { expect, test } from 'vitest'
import { SampleRing } from '../../broker/metrics/sample-ring.ts'
import { type MetricReading, startMetricSampler } from '../../broker/metrics/samples.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

test('a ring keeps the last `capacity` samples in order, the oldest going first', () => {
  const ring = new SampleRing(3, ['a', 'b'] as const)
  expect(ring.columns()).toEqual({ times: [], series: { a: [], b: [] } })
  for (let i = 1; i <= 5; i++) ring.push(i * 10, { a: i, b: i % 2 === 0 ? null : -i })
  expect(ring.length).toBe(3)
  expect(ring.lastTime()).toBe(50)
  expect(ring.columns()).toEqual({
    times: [30, 40, 50],
    series: { a: [3, 4, 5], b: [-3, null, -5] },
  })
})

test('a ring grows by doubling up to its capacity, then its memory stays put however long it runs', () => {
  const ring = new SampleRing(720, ['x'] as const)
  expect(ring.bytes).toBe(16 * 8 * 2)
  for (let i = 0; i < 720; i++) ring.push(i, { x: i })
  const full = ring.bytes
  expect(full).toBe(720 * 8 * 2)
  for (let i = 720; i < 10_000; i++) ring.push(i, { x: i })
  expect(ring.bytes).toBe(full)
  const { times, series } = ring.columns()
  expect(times).toHaveLength(720)
  expect(times[0]).toBe(10_000 - 720)
  expect(series.x.at(-1)).toBe(9_999)
  // in order across the wrap point
  expect(times.every((t, i) => i === 0 || t === (times[i - 1] ?? 0) + 1)).toBe(true)
})

test('a ring refuses a capacity below one', () => {
  expect(() => new SampleRing(0, ['x'] as const)).toThrow(/capacity of at least 1, got 0/)
})

/** A broker as the sampler reads it: counters the test moves by hand. */
function fakeBroker() {
  const reading: MetricReading = {
    connections: 0,
    online: 0,
    offline: 0,
    queued: 0,
    inflight: 0,
    received: 0,
    sent: 0,
    dropped: 0,
  }
  return { reading, read: async () => ({ ...reading }) }
}

test('the sampler samples at once, then every interval on the clock; rates come from the counters', async () => {
  const clock = new ManualClock()
  const broker = fakeBroker()
  broker.reading.connections = 2
  broker.reading.received = 100
  const sampler = startMetricSampler({ read: broker.read, clock, intervalMs: 5000 })
  const first = await sampler.sampleNow()
  // no previous sample: no rate yet, rather than 100 messages in no time
  expect(first).toMatchObject({ at: clock.now(), connections: 2, receivedPerSec: null })

  broker.reading.received += 50
  broker.reading.sent += 10
  broker.reading.dropped += 5
  clock.advance(5000)
  const second = await sampler.sampleNow()
  expect(second).toMatchObject({ receivedPerSec: 10, sentPerSec: 2, droppedPerSec: 1 })
  expect(second).toMatchObject({ received: 150, sent: 10, dropped: 5 })

  const history = sampler.history()
  expect(history.times).toEqual([clock.now() - 5000, clock.now()])
  expect(history.series.receivedPerSec).toEqual([null, 10])
  expect(history.series.connections).toEqual([2, 2])
  expect(history.latest).toEqual(second)
  await sampler.stop()
})

test('a rate is over the time between the two samples, so a late tick gives no spike', async () => {
  const clock = new ManualClock()
  const broker = fakeBroker()
  const sampler = startMetricSampler({ read: broker.read, clock, intervalMs: 5000 })
  await sampler.sampleNow()
  broker.reading.received = 30
  // the timer fires once, 15 s on (a busy event loop): 30 messages over 15 s
  clock.advance(15_000)
  expect(await sampler.sampleNow()).toMatchObject({ receivedPerSec: 2 })
  await sampler.stop()
})

test('the sampler holds one window of samples: an hour at 5 s is 720, and no more', async () => {
  const clock = new ManualClock()
  const broker = fakeBroker()
  const sampler = startMetricSampler({ read: broker.read, clock })
  expect(sampler.intervalMs).toBe(5000)
  await sampler.sampleNow()
  for (let i = 0; i < 800; i++) {
    broker.reading.queued = i
    clock.advance(5000)
    await sampler.sampleNow()
  }
  const history = sampler.history()
  expect(history.capacity).toBe(720)
  expect(history.times).toHaveLength(720)
  expect(history.series.queued.at(-1)).toBe(799)
  expect(history.series.queued[0]).toBe(80)
  expect((history.times.at(-1) ?? 0) - (history.times[0] ?? 0)).toBe(719 * 5000)
  await sampler.stop()
})

test('listeners get each sample; a failed read is skipped and told; stop ends the timer', async () => {
  const clock = new ManualClock()
  const broker = fakeBroker()
  let failing = false
  const errors: unknown[] = []
  const sampler = startMetricSampler({
    read: () => (failing ? Promise.reject(new Error('store down')) : broker.read()),
    clock,
    onError: (err) => errors.push(err),
  })
  await sampler.sampleNow()
  const seen: number[] = []
  sampler.onSample((s) => seen.push(s.at))
  clock.advance(5000)
  await sampler.sampleNow()
  failing = true
  clock.advance(5000)
  expect(await sampler.sampleNow()).toBeNull()
  expect(errors).toEqual([new Error('store down')])
  failing = false
  await sampler.stop()
  clock.advance(5000)
  expect(seen).toEqual([clock.now() - 10_000])
  expect(sampler.history().times).toHaveLength(2)
})
