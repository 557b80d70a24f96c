import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { CompareFigures } from '../../web/shared/ui.ts'
import { tempDir } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('figures are measured from the sessions and views the broker holds now', async () => {
  const broker = await startDashboard()
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'keeper', clean: false })
  await client.subscribe('jobs/#', 1)
  await RawClient.connect(broker.urls.mqtt, { clientId: 'passer', clean: true })
  const viewer = new Viewer(broker)
  await viewer.open('/compare')
  await viewer.post('/ui/view', {
    state: { follows: ['keeper'], filter: { state: 'all', prefix: '' } },
  })

  const f = (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures
  expect(f.sampled).toBe(2)
  expect(f.mqtt.persistent).toMatchObject({ online: 1, offline: 0 })
  expect(f.mqtt.persistent.serverBytesPerSession).toBeGreaterThan(100)
  expect(f.mqtt.clean).toMatchObject({ online: 1, offline: 0, derived: null })
  // the broker cannot tell a client that resubscribes from one that does not: derived, and says so
  expect(f.mqtt.resubscribe.derived).toMatch(/^from the CleanSession=1 sessions/)
  expect(f.mqtt.resubscribe.serverBytesPerSession).toBe(f.mqtt.clean.serverBytesPerSession)
  expect(f.mqtt.resubscribe.clientBytes).toBe(2) // "passer" subscribed to nothing: []
  expect(f.views.persistent.offline).toBe(1)
  expect(f.views.persistent.serverBytesPerSession).toBeGreaterThan(0)
  expect(f.views.persistent).toMatchObject({ missedHeld: 0, missedBytes: 0, maxMissed: 200 })
  expect(f.views.clean.serverBytesPerSession).toBe(0)
  expect(f.views.clean.clientBytes).toBeGreaterThan(f.views.persistent.clientBytes ?? 0)
  expect(f.simReport).toMatchObject({ missing: 'no simulation has been saved there' })
})

test("the asking page's own live connection and view are counted, and a view away grows by the events it missed", async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open('/compare')
  const live = await viewer.live()
  await live.next('welcome')
  const figures = async () => (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures
  const open = await figures()
  expect(open.liveConnections).toBe(1)
  expect(open.views.persistent).toMatchObject({ online: 1, offline: 0, missedHeld: 0 })
  const fresh = open.views.persistent.serverBytesPerSession ?? 0

  await live.close()
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'busy', clean: false })
  for (let i = 0; i < 5; i++) {
    await client.subscribe(`t/${i}`, 1)
    await changes.next('subscribe', 'busy')
  }
  const away = await figures()
  expect(away.views.persistent).toMatchObject({ online: 0, offline: 1, missedHeld: 6 })
  expect(away.views.persistent.missedBytes).toBeGreaterThan(6 * 50)
  // the growth per view is the missed events it holds
  expect(away.views.persistent.serverBytesPerSession).toBe(
    fresh + away.views.persistent.missedBytes - 2,
  )
})

test('a fleet simulation report in the data dir is shown; a broken one is named as such', async () => {
  const dataDir = tempDir()
  const broker = await startDashboard({ dataDir })
  const viewer = new Viewer(broker)
  await viewer.open('/compare')
  const report = { broker: 'mqtt://x', seed: 42, devices: 3, messages: 10, strategies: [] }
  writeFileSync(join(dataDir, 'sim-report.json'), JSON.stringify(report))
  const f = (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures
  expect(f.simReport).toMatchObject({ report: { seed: 42, devices: 3 } })

  writeFileSync(join(dataDir, 'sim-report.json'), '{"hello": 1}')
  const g = (await (await viewer.fetch('/ui/compare')).json()) as CompareFigures
  expect(g.simReport).toMatchObject({ missing: 'the file is not a fleet simulation report' })
})
