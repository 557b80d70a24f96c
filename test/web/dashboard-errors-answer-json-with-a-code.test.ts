import { expect, test } from 'vitest'
import { startDashboard, Viewer } from './viewer-client.ts'

test('an unknown /ui route is a JSON 404; the JSON API is still served beside the dashboard', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const res = await viewer.fetch('/ui/nothing-here')
  expect(res.status).toBe(404)
  expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  const api = await fetch(`${broker.urls.http}/api/sessions`)
  expect(api.status).toBe(200)
  expect(api.headers.get('content-security-policy')).toBe(
    "default-src 'none'; frame-ancestors 'none'",
  )
})

test('a malformed JSON body is a 400 BAD_REQUEST', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const res = await viewer.fetch('/ui/view', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': viewer.csrf ?? '' },
    body: '{"state":',
  })
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } })
})

test('GET /ui/view answers the mode, role and state; other methods are 405', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const res = await viewer.fetch('/ui/view')
  expect(await res.json()).toMatchObject({
    mode: 'persistent',
    operator: false,
    state: { follows: [], filter: { state: 'all', prefix: '' } },
  })
  const put = await viewer.fetch('/ui/view', {
    method: 'PUT',
    headers: { 'x-csrf-token': viewer.csrf ?? '', origin: viewer.origin },
  })
  expect(put.status).toBe(405)
})
