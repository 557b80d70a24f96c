import { expect, test } from 'vitest'
import { signViewer, verifyViewer } from '../../web/server/cookie.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

const SECRET = 'test-cookie-secret'

function decode(value: string) {
  const viewer = verifyViewer(value, Buffer.from(SECRET), Date.now())
  if (viewer === null) throw new Error('cookie does not verify')
  return viewer
}

test('a cookie whose signature was changed is refused with 403 FORBIDDEN', async () => {
  const broker = await startDashboard({}, { cookieSecret: SECRET })
  const viewer = new Viewer(broker)
  await viewer.open()
  const value = viewer.cookieValue
  const last = value.at(-1) === 'A' ? 'B' : 'A'
  viewer.cookie = `sl_view=${value.slice(0, -1)}${last}`
  const res = await viewer.fetch('/ui/view')
  expect(res.status).toBe(403)
  expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })
})

test('a cookie rewritten to claim operator rights, keeping the old signature, is refused', async () => {
  const broker = await startDashboard({}, { cookieSecret: SECRET })
  const viewer = new Viewer(broker)
  await viewer.open()
  const claims = { ...decode(viewer.cookieValue), operator: true }
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
  viewer.cookie = `sl_view=${body}.${viewer.cookieValue.split('.')[1]}`
  const res = await viewer.post('/ui/sessions/x/delete')
  expect(res.status).toBe(403)
})

test('a cookie signed with another secret is refused', async () => {
  const broker = await startDashboard({}, { cookieSecret: SECRET })
  const viewer = new Viewer(broker)
  await viewer.open()
  const claims = { ...decode(viewer.cookieValue), operator: true }
  viewer.cookie = `sl_view=${signViewer(claims, Buffer.from('guessed secret'))}`
  expect((await viewer.fetch('/ui/view')).status).toBe(403)
  await expect(viewer.live()).rejects.toThrow('refused 401')
})

test('an expired cookie is refused by calls and the live channel; a page replaces it with a new viewer', async () => {
  let now = Date.now()
  const broker = await startDashboard({}, { cookieSecret: SECRET, now: () => now })
  const viewer = new Viewer(broker)
  await viewer.open()
  const first = decode(viewer.cookieValue)
  expect((await viewer.fetch('/ui/view')).status).toBe(200)

  now = first.expiresAt + 1
  expect((await viewer.fetch('/ui/view')).status).toBe(403)
  await expect(viewer.live()).rejects.toThrow('refused 401')

  const page = await viewer.open('/')
  expect(page.headers.getSetCookie()).toHaveLength(1)
  const second = verifyViewer(viewer.cookieValue, Buffer.from(SECRET), now)
  expect(second?.id).not.toBe(first.id)
})

test('garbage in the cookie header is a 403, not a crash', async () => {
  const broker = await startDashboard()
  for (const cookie of ['sl_view=', 'sl_view=abc', 'sl_view=%%%.###', 'other=1']) {
    const res = await fetch(`${broker.urls.http}/ui/view`, { headers: { cookie } })
    expect(res.status).toBe(403)
  }
})
