import { afterEach, expect, it, vi } from 'vitest'
import { Backpressure, RELEASED_PER_STEP } from '../../broker/policies/backpressure.ts'

// The policy on its own (broker/policies/backpressure.ts); the overload burst
// in test/robustness shows it on real sockets.

afterEach(() => {
  vi.useRealTimers()
})

/** Calls `wait` n times for one publisher; the order its PUBLISHes were let go in. */
function publishes(pressure: Backpressure, publisher: { id: string }, n: number, order: string[]) {
  const id = publisher.id
  return Array.from({ length: n }, (_, i) => {
    const wait = pressure.wait(publisher)
    if (wait === null) {
      order.push(`${id}-${i}`)
      return null
    }
    return wait.then(() => {
      order.push(`${id}-${i}`)
    })
  })
}

it('holds back a publisher that fed a connection behind, and lets a bystander go on', async () => {
  const pressure = new Backpressure(1000)
  const reader = {}
  const heavy = { id: 'heavy' }
  const bystander = { id: 'bystander' }
  expect(pressure.wait(heavy), 'nothing behind yet').toBeNull()

  pressure.behind(reader)
  pressure.fed(reader, 'heavy')
  const order: string[] = []
  const held = publishes(pressure, heavy, 3, order)
  expect(held.every((w) => w !== null)).toBe(true)
  expect(pressure.wait(bystander), 'a bystander feeds nothing behind').toBeNull()
  expect(pressure.counts.pauses).toBe(1)

  pressure.caughtUp(reader)
  await Promise.all(held)
  expect(order).toEqual(['heavy-0', 'heavy-1', 'heavy-2'])
  expect(pressure.wait(heavy), 'all caught up').toBeNull()
})

it('lets what waited go a step at a time, each publisher in its order, and not while a connection is behind again', async () => {
  const pressure = new Backpressure(1000)
  const reader = {}
  const a = { id: 'a' }
  const b = { id: 'b' }
  pressure.behind(reader)
  pressure.fed(reader, 'a')
  pressure.fed(reader, 'b')
  const order: string[] = []
  const n = RELEASED_PER_STEP + 5
  const waits = [...publishes(pressure, a, n, order), ...publishes(pressure, b, n, order)]
  pressure.caughtUp(reader)
  // the first step lets RELEASED_PER_STEP of each go; the reader falls behind again at once
  await Promise.all([
    ...waits.slice(0, RELEASED_PER_STEP),
    ...waits.slice(n, n + RELEASED_PER_STEP),
  ])
  pressure.behind(reader)
  const firstStep = order.length
  expect(firstStep).toBe(2 * RELEASED_PER_STEP)
  // two loop turns: a second step would have run by now
  await new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))))
  expect(order.length, 'nothing let go while behind again').toBe(firstStep)

  pressure.caughtUp(reader)
  await Promise.all(waits)
  expect(order.filter((p) => p.startsWith('a-'))).toEqual(
    Array.from({ length: n }, (_, i) => `a-${i}`),
  )
  expect(order.filter((p) => p.startsWith('b-'))).toEqual(
    Array.from({ length: n }, (_, i) => `b-${i}`),
  )
})

it('stops counting a reader that had nothing written to it for the stall time', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  let now = 0
  const pressure = new Backpressure(1000, () => now)
  const stalledReaders: object[] = []
  pressure.onStall = (conn) => stalledReaders.push(conn)
  const reader = {}
  const publisher = { id: 'pub' }
  pressure.behind(reader)
  pressure.fed(reader, 'pub')
  const held = pressure.wait(publisher)
  expect(held).not.toBeNull()

  // written to at 600 ms: not stalled at 1000 ms
  now = 600
  pressure.progress(reader)
  now = 1000
  vi.advanceTimersByTime(1000)
  expect(stalledReaders).toEqual([])

  now = 1600
  vi.advanceTimersByTime(600)
  expect(stalledReaders).toEqual([reader])
  expect(pressure.counts.stalls).toBe(1)
  await held
  // a stalled reader holds nobody back until it caught up
  pressure.behind(reader)
  expect(pressure.wait(publisher)).toBeNull()
})
