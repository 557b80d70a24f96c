import { expect, test } from 'vitest'
import type { CompareFigures } from '../../web/shared/ui.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

const STATE = { follows: ['dev'], filter: { state: 'all', prefix: '' } }

/** The Max-Age of the viewer cookie a response sets; null when it sets none. */
function maxAgeOf(res: Response): number | null {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('sl_view='))
  const match = set === undefined ? null : /; Max-Age=(\d+)/.exec(set)
  return match === null ? null : Number(match[1])
}

test('--view-max-age is the Max-Age of a persistent view: each visit sets it again, and the view is forgotten that long after the last one', async () => {
  const clock = new ManualClock()
  const broker = await startDashboard({}, { viewMaxAge: 60, clock })
  const viewer = new Viewer(broker)
  expect(maxAgeOf(await viewer.open('/'))).toBe(60)
  expect((await viewer.post('/ui/view', { state: STATE })).status).toBe(200)
  expect(await broker.store.loadDashboardViews()).toHaveLength(1)

  // a visit 59 s later: the cookie is set again with the full Max-Age, and the view's age starts again
  clock.advance(59_000)
  expect(maxAgeOf(await viewer.open('/compare'))).toBe(60)
  const figures = (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures
  expect(figures.views.maxAge).toMatchObject({
    offline: 1,
    seconds: [60],
    cookie: 'Max-Age=60',
    nextEndAt: clock.now() + 60_000,
  })
  clock.advance(59_000)
  expect(await broker.store.loadDashboardViews()).toHaveLength(1)

  // 60 s after the last visit: gone from memory and from the session store, and the cookie with it
  clock.advance(1000)
  expect((await viewer.fetch('/ui/view')).status).toBe(403)
  expect(await broker.store.loadDashboardViews()).toEqual([])
})

test('a view with a page open does not expire; its age counts from when the page closed', async () => {
  const clock = new ManualClock()
  const broker = await startDashboard({}, { viewMaxAge: 60, clock })
  const viewer = new Viewer(broker)
  await viewer.open('/')
  // committed to the store before it answers
  await viewer.post('/ui/view', { state: STATE })
  const live = await viewer.live()
  await live.next('welcome')
  clock.advance(120_000)
  expect(await broker.store.loadDashboardViews()).toHaveLength(1)

  await live.close()
  // closed at clock.now(): its minute starts then, not when the page opened
  clock.advance(59_000)
  await viewer.fetch('/ui/view')
  expect(await broker.store.loadDashboardViews()).toHaveLength(1)
  clock.advance(1000)
  // the cookie, last set when the page loaded, is long past its Max-Age too
  expect((await viewer.fetch('/ui/view')).status).toBe(403)
  expect(await broker.store.loadDashboardViews()).toEqual([])
})

test('a clean view keeps a browser-session cookie: no Max-Age, whatever --view-max-age says', async () => {
  const broker = await startDashboard({}, { viewMaxAge: 60 })
  const viewer = new Viewer(broker)
  await viewer.open('/')
  const res = await viewer.post('/ui/mode', { mode: 'clean' })
  expect(res.status).toBe(200)
  expect(maxAgeOf(res)).toBeNull()
  expect(maxAgeOf(await viewer.open('/'))).toBeNull()
})
