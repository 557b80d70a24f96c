import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { openLive, startDashboard, Viewer } from './viewer-client.ts'

test('an upgrade without a cookie is refused with 401', async () => {
  const broker = await startDashboard()
  await expect(openLive(broker, { origin: broker.urls.http })).rejects.toThrow('refused 401')
})

test('an upgrade from a foreign or missing Origin is refused with 403, even with a good cookie', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  await expect(viewer.live({ origin: 'http://evil.example' })).rejects.toThrow('refused 403')
  await expect(openLive(broker, { cookie: viewer.cookie ?? '' })).rejects.toThrow('refused 403')
})

test('an upgrade on another path is refused with 404', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const url = broker.urls.http.replace(/^http/, 'ws')
  const { WebSocket } = await import('ws')
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${url}/elsewhere`, {
      headers: { cookie: viewer.cookie ?? '', origin: broker.urls.http },
    })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => resolve(-1))
  })
  expect(status).toBe(404)
})

test('a good cookie and Origin get a welcome, then every session change as a typed message', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const live = await viewer.live()
  expect(await live.next('welcome')).toEqual({
    type: 'welcome',
    mode: 'persistent',
    resumed: false,
    missed: [],
    missedDropped: 0,
  })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev-1', clean: false })
  const change = await live.next('change', (m) => m.change.clientId === 'dev-1')
  expect(change.change.event).toMatchObject({ type: 'connect', clean: false })
  expect(change.change.seq).toBeGreaterThan(0)
})

test('a message other than a ping closes the channel with 1008', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const live = await viewer.live()
  await live.next('welcome')
  const code = new Promise<number>((resolve) => live.ws.once('close', (c) => resolve(c)))
  live.ws.send('{"type":"delete-everything"}')
  expect(await code).toBe(1008)
})
