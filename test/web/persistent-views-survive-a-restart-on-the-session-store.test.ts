import { expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

/** The same browser (cookie and CSRF token) in front of another broker. */
function sameBrowser(viewer: Viewer, broker: Viewer['broker']): Viewer {
  const again = new Viewer(broker)
  again.cookie = viewer.cookie
  again.csrf = viewer.csrf
  return again
}

test('on SQLite a persistent view keeps its follows, filter and missed events across a restart', async () => {
  const dataDir = tempDir()
  const first = await startDashboard({ store: 'sqlite', dataDir })
  const viewer = new Viewer(first)
  await viewer.open()
  const state = { follows: ['pump-1'], filter: { state: 'offline', prefix: 'pump' } }
  expect((await viewer.post('/ui/view', { state })).status).toBe(200)
  const page = await viewer.live()
  await page.next('welcome')
  await page.close()
  // away: what happens to pump-1 now is kept for the view
  const changes = new SessionChanges(first.sessions)
  const { client } = await RawClient.connect(first.urls.mqtt, { clientId: 'pump-1', clean: false })
  await client.subscribe('water/#', 1)
  await changes.next('subscribe', 'pump-1')
  await first.close()

  const second = await startDashboard({ store: 'sqlite', dataDir })
  const back = sameBrowser(viewer, second)
  expect((await back.view()).state).toEqual(state)
  const welcome = await (await back.live()).next('welcome')
  expect(welcome.resumed).toBe(true)
  expect(welcome.missed.map((c) => `${c.clientId} ${c.event.type}`).slice(0, 2)).toEqual([
    'pump-1 connect',
    'pump-1 subscribe',
  ])
})

test('a view switched to clean before the restart is not brought back', async () => {
  const dataDir = tempDir()
  const first = await startDashboard({ store: 'sqlite', dataDir })
  const viewer = new Viewer(first)
  await viewer.open()
  const filter = { state: 'all', prefix: '' }
  await viewer.post('/ui/view', { state: { follows: ['gone-1'], filter } })
  expect(await first.store.loadDashboardViews()).toHaveLength(1)
  // a new mode is a new view: the persistent one is discarded, in the store too
  expect((await viewer.post('/ui/mode', { mode: 'clean' })).status).toBe(200)
  expect(await first.store.loadDashboardViews()).toEqual([])
  await first.close()

  const second = await startDashboard({ store: 'sqlite', dataDir })
  expect(await second.store.loadDashboardViews()).toEqual([])
})

test('on the memory store views last for the run, as its sessions do', async () => {
  const dataDir = tempDir()
  const first = await startDashboard({ store: 'memory', dataDir })
  const viewer = new Viewer(first)
  await viewer.open()
  const state = { follows: ['pump-1'], filter: { state: 'all', prefix: '' } }
  await viewer.post('/ui/view', { state })
  expect((await viewer.view()).state).toEqual(state)
  await first.close()

  const second = await startDashboard({ store: 'memory', dataDir })
  expect((await sameBrowser(viewer, second).view()).state.follows).toEqual([])
})
