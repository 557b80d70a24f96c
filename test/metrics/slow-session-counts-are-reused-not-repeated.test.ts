import { expect, test } from 'vitest'
import type { SessionInspector, SessionListQuery } from '../../broker/inspector/types.ts'
import { sessionTotals } from '../../broker/metrics/session-totals.ts'

/** An inspector of `pages` pages of 1000 offline sessions, each page taking `msPerPage` of fake time. */
function countingInspector(pages: number, msPerPage: number, clock: { t: number }) {
  const calls: SessionListQuery[] = []
  const inspector: SessionInspector = {
    async list(query) {
      calls.push(query)
      clock.t += msPerPage
      const index = query.cursor === undefined ? 0 : Number(query.cursor)
      const sessions = Array.from({ length: 1000 }, () => ({ queued: 2, inflight: 1 }))
      return {
        sessions: sessions as never,
        next: index + 1 < pages ? String(index + 1) : null,
        counts: { online: 0, offline: pages * 1000, total: pages * 1000 },
      }
    },
    get: async () => null,
    disconnect: async () => false,
    delete: async () => false,
    onChange: () => () => {},
  }
  return { inspector, calls }
}

test('totals sum every page of the list', async () => {
  const clock = { t: 0 }
  const { inspector, calls } = countingInspector(3, 1, clock)
  const totals = await sessionTotals(inspector, () => clock.t)()
  expect(totals).toEqual({ online: 0, offline: 3000, total: 3000, queued: 6000, inflight: 3000 })
  expect(calls.map((c) => c.limit)).toEqual([1000, 1000, 1000])
})

test('a fast walk is repeated on every call; calls during a walk share it', async () => {
  const clock = { t: 0 }
  const { inspector, calls } = countingInspector(2, 1, clock)
  const totals = sessionTotals(inspector, () => clock.t)
  await Promise.all([totals(), totals()])
  expect(calls).toHaveLength(2)
  await totals()
  expect(calls).toHaveLength(4)
})

test('a slow walk is reused for ten times its duration, then walked again', async () => {
  const clock = { t: 0 }
  const { inspector, calls } = countingInspector(100, 20, clock) // 2 s a walk
  const totals = sessionTotals(inspector, () => clock.t)
  await totals()
  expect(calls).toHaveLength(100)
  clock.t += 19_000
  await totals()
  expect(calls).toHaveLength(100)
  clock.t += 1_001
  await totals()
  expect(calls).toHaveLength(200)
})

test('a slow walk of one page is repeated: the loop was busy, counting is cheap', async () => {
  const clock = { t: 0 }
  const { inspector, calls } = countingInspector(1, 500, clock)
  const totals = sessionTotals(inspector, () => clock.t)
  await totals()
  await totals()
  expect(calls).toHaveLength(2)
})
