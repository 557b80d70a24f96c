import { expect, test } from 'vitest'
import type { CompareFigures } from '../../web/shared/ui.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('Session Expiry N is measured on real MQTT 5 sessions, beside views whose cookie has Max-Age=N', async () => {
  const broker = await startDashboard({}, { viewMaxAge: 120 })
  const changes = new SessionChanges(broker.sessions)
  const { client: keeper } = await connect5(broker.urls.mqtt, {
    clientId: 'keeper5',
    clean: false,
    properties: { sessionExpiryInterval: 120 },
  })
  await keeper.subscribeAsync('jobs/#', { qos: 1 })
  await keeper.endAsync()
  await changes.next('disconnect', 'keeper5')
  await connect5(broker.urls.mqtt, { clientId: 'brief5' })
  // 3.1.1 sessions have no interval: they are not in the MQTT 5 columns
  await RawClient.connect(broker.urls.mqtt, { clientId: 'old', clean: false })

  const viewer = new Viewer(broker)
  const page = await viewer.open('/compare')
  expect(page.headers.getSetCookie().join()).toMatch(/; Max-Age=120(;|$)/)
  await viewer.post('/ui/view', { state: { follows: [], filter: { state: 'all', prefix: '' } } })
  const f = (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures

  // what the broker holds for it, and when it ends: its record's disconnect time + 120 s
  const keeperView = await broker.sessions.get('keeper5')
  expect(f.mqtt5.expiring).toMatchObject({
    online: 0,
    offline: 1,
    seconds: [120],
    nextEndAt: (keeperView?.disconnectedAt ?? 0) + 120_000,
    clientBytes: null,
  })
  expect(f.mqtt5.expiring.serverBytesPerSession).toBeGreaterThan(100)
  expect(f.mqtt5.zero).toMatchObject({ online: 1, offline: 0, seconds: [0], nextEndAt: null })
  expect(f.mqtt5.zero.serverBytesPerSession).toBeGreaterThan(0)

  // the dashboard side: the persistent views, whose cookie has Max-Age=120
  const views = await broker.store.loadDashboardViews()
  expect(views).toHaveLength(1)
  expect(f.views.maxAge).toMatchObject({
    offline: 1,
    seconds: [120],
    cookie: 'Max-Age=120',
  })
  // Max-Age from the last visit: this very call is one
  expect(f.views.maxAge.nextEndAt).toBeGreaterThanOrEqual((views[0]?.lastSeen ?? 0) + 120_000)
  expect(f.views.maxAge.nextEndAt).toBeLessThanOrEqual(Date.now() + 120_000)
  expect(f.views.maxAge.clientBytes).toBe(f.views.persistent.clientBytes)
  expect(f.views.maxAge.serverBytesPerSession).toBe(f.views.persistent.serverBytesPerSession)
  // expiry 0 beside the browser-session cookie: the clean view, which the server holds nothing for
  expect(f.views.clean.serverBytesPerSession).toBe(0)
})
