import { expect, test } from 'vitest'
import { verifyViewer } from '../../web/server/cookie.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

const SECRET = 'test-cookie-secret'

test.each(['/', '/overview', '/compare', '/login', '/sessions/a%2Fb'])(
  'GET %s is an HTML page with a strict CSP and security headers',
  async (path) => {
    const broker = await startDashboard({}, { cookieSecret: SECRET })
    const res = await new Viewer(broker).open(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('cache-control')).toBe('no-store')
  },
)

test('a first visit gets a persistent viewer cookie: signed, HttpOnly, SameSite=Strict, a week long', async () => {
  const broker = await startDashboard({}, { cookieSecret: SECRET })
  const viewer = new Viewer(broker)
  const res = await viewer.open('/')
  const [set] = res.headers.getSetCookie()
  expect(set).toMatch(/^sl_view=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/)
  const decoded = verifyViewer(viewer.cookieValue, Buffer.from(SECRET), Date.now())
  expect(decoded).toMatchObject({ v: 1, mode: 'persistent', operator: false })
  expect(verifyViewer(viewer.cookieValue, Buffer.from('another secret'), Date.now())).toBeNull()
})

test('a returning viewer keeps its view: its cookie is set again with a fresh Max-Age, naming the same viewer', async () => {
  const broker = await startDashboard({}, { cookieSecret: SECRET })
  const viewer = new Viewer(broker)
  await viewer.open('/')
  const first = verifyViewer(viewer.cookieValue, Buffer.from(SECRET), Date.now())
  const again = await viewer.open('/compare')
  // the view lives --view-max-age after its last visit: each visit refreshes the cookie
  expect(again.headers.getSetCookie()).toEqual([expect.stringMatching(/; Max-Age=604800$/)])
  const second = verifyViewer(viewer.cookieValue, Buffer.from(SECRET), Date.now())
  expect(second?.id).toBe(first?.id)
  expect(second?.expiresAt).toBeGreaterThanOrEqual(first?.expiresAt ?? Number.POSITIVE_INFINITY)
})

test('the browser code and style are served from the broker, not a CDN', async () => {
  const broker = await startDashboard()
  const js = await fetch(`${broker.urls.http}/assets/app.js`)
  expect(js.status).toBe(200)
  expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
  const code = await js.text()
  expect(code).toContain('/live')
  expect(code).not.toContain('innerHTML')
  const css = await fetch(`${broker.urls.http}/assets/style.css`)
  expect(css.headers.get('content-type')).toMatch(/^text\/css/)
  // uPlot's stylesheet (the overview's charts) is inside ours: nothing is loaded from elsewhere
  expect(await css.text()).toContain('.uplot')
  const html = await (await fetch(`${broker.urls.http}/`)).text()
  expect(html).not.toMatch(/https?:\/\//)
})
