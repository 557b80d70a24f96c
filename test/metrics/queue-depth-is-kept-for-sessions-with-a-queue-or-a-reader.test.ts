import { expect, test } from 'vitest'
import type { SessionEvent } from '../../broker/inspector/types.ts'
import { QueueDepthTracker } from '../../broker/metrics/queue-depth.ts'
import type { QueueTotals } from '../../broker/store/types.ts'
import { ManualClock } from '../helpers/manual-clock.ts'

/** A tracker over queue counters the test sets by hand, on a manual clock. */
function tracker(options: { maxSessions?: number; windowMs?: number } = {}) {
  const clock = new ManualClock()
  const queues = new Map<string, QueueTotals>()
  const depth = new QueueDepthTracker({
    queuedTotals: (id) => queues.get(id) ?? { count: 0, bytes: 0 },
    clock,
    intervalMs: 5000,
    ...options,
  })
  depth.start()
  const tick = async () => {
    clock.advance(5000)
    await depth.whenIdle()
  }
  const event = (clientId: string, type: 'queued' | 'deleted') => {
    const at = clock.now()
    const e: SessionEvent =
      type === 'queued'
        ? { type, at, topic: 't', qos: 1, bytes: 2 }
        : { type: 'deleted', at, by: 'admin' }
    depth.onChange({ clientId, event: e })
  }
  return { clock, queues, depth, tick, event }
}

test('a session is tracked from its first queued message, sampled every interval', async () => {
  const { queues, depth, tick, event, clock } = tracker()
  expect(depth.has('dev1')).toBe(false)
  queues.set('dev1', { count: 1, bytes: 2 })
  event('dev1', 'queued')
  expect(depth.has('dev1')).toBe(true)
  await tick()
  queues.set('dev1', { count: 3, bytes: 6 })
  await tick()
  const history = await depth.read('dev1')
  expect(history).toEqual({
    clientId: 'dev1',
    intervalMs: 5000,
    times: [clock.now() - 5000, clock.now()],
    depth: [1, 3],
    bytes: [2, 6],
  })
  await depth.stop()
})

test('a session nobody reads goes once its queue stayed empty for a whole window', async () => {
  const { queues, depth, tick, event } = tracker({ windowMs: 20_000 })
  queues.set('dev1', { count: 2, bytes: 4 })
  event('dev1', 'queued')
  await tick()
  queues.set('dev1', { count: 0, bytes: 0 }) // drained
  for (let i = 0; i < 3; i++) await tick()
  expect(depth.has('dev1')).toBe(true)
  await tick()
  expect(depth.has('dev1')).toBe(false)
  await depth.stop()
})

test('reading a session not tracked starts its history with a sample taken at once, and keeps it', async () => {
  const { queues, depth, tick, clock } = tracker({ windowMs: 20_000 })
  queues.set('viewed', { count: 0, bytes: 0 })
  expect(await depth.read('viewed')).toMatchObject({ times: [clock.now()], depth: [0] })
  for (let i = 0; i < 3; i++) await tick()
  // read again before the window ends: kept for another window though its queue is empty
  expect((await depth.read('viewed')).depth).toEqual([0, 0, 0, 0])
  for (let i = 0; i < 3; i++) await tick()
  expect(depth.has('viewed')).toBe(true)
  await depth.stop()
})

test('a deleted session loses its history', async () => {
  const { depth, event } = tracker()
  event('dev1', 'queued')
  event('dev1', 'deleted')
  expect(depth.has('dev1')).toBe(false)
  await depth.stop()
})

test('at most maxSessions are tracked: new queues wait, a reader takes the least recent place', async () => {
  const { depth, event } = tracker({ maxSessions: 2 })
  event('a', 'queued')
  event('b', 'queued')
  event('c', 'queued')
  expect([depth.has('a'), depth.has('b'), depth.has('c')]).toEqual([true, true, false])
  event('a', 'queued') // a is now the most recent
  await depth.read('d')
  expect(depth.size).toBe(2)
  expect([depth.has('a'), depth.has('b'), depth.has('d')]).toEqual([true, false, true])
  await depth.stop()
})

test('a full hour of a session costs a bounded ring: 720 samples, no more', async () => {
  const { queues, depth, tick, event } = tracker()
  queues.set('dev1', { count: 5, bytes: 10 })
  event('dev1', 'queued')
  for (let i = 0; i < 800; i++) await tick()
  expect((await depth.read('dev1')).times).toHaveLength(720)
  await depth.stop()
})
