import { expect, test } from 'vitest'
import type { ViewAnswer } from '../../web/shared/ui.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

const state = { follows: ['a'], filter: { state: 'online', prefix: 'a' } }

test('POST /ui/view with the page CSRF token is accepted', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const res = await viewer.post('/ui/view', { state })
  expect(res.status).toBe(200)
  expect(((await res.json()) as ViewAnswer).state).toEqual(state)
})

test.each([
  ['without a CSRF token', { 'x-csrf-token': '' }],
  ['with a wrong CSRF token', { 'x-csrf-token': 'AAAA' }],
  ['from a foreign Origin', { origin: 'http://evil.example' }],
])('a state-changing call %s is refused with 403 FORBIDDEN', async (_what, headers) => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  for (const path of ['/ui/view', '/ui/mode', '/ui/login', '/ui/logout', '/ui/sessions/x/delete']) {
    const res = await viewer.post(path, { state, mode: 'clean', token: 'x' }, headers)
    expect(res.status, path).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })
  }
})

test("another viewer's CSRF token does not work with this viewer's cookie", async () => {
  const broker = await startDashboard()
  const alice = new Viewer(broker)
  const mallory = new Viewer(broker)
  await alice.open()
  await mallory.open()
  const res = await alice.post('/ui/view', { state }, { 'x-csrf-token': mallory.csrf ?? '' })
  expect(res.status).toBe(403)
})

test('a state-changing call without any cookie is refused', async () => {
  const broker = await startDashboard()
  const res = await fetch(`${broker.urls.http}/ui/mode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"mode":"clean"}',
  })
  expect(res.status).toBe(403)
})
