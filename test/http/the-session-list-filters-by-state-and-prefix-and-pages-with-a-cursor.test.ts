import { expect, test } from 'vitest'
import type { SessionPage } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call } from './http-client.ts'

test('GET /api/sessions lists online and offline sessions with their counts', async () => {
  const broker = await startBroker()
  const online = await RawClient.connect(broker.urls.mqtt, { clientId: 'room/1', clean: false })
  await online.client.subscribe('room/1/cmd', 1)
  const gone = await RawClient.connect(broker.urls.mqtt, { clientId: 'room/2', clean: false })
  await gone.client.subscribe('room/2/cmd', 1)
  await gone.client.disconnect()

  const all = await call<SessionPage>(broker, '/api/sessions')
  expect(all.status).toBe(200)
  expect(all.headers.get('content-type')).toMatch(/^application\/json/)
  expect(all.body.counts).toEqual({ online: 1, offline: 1, total: 2 })
  expect(all.body.next).toBeNull()
  const byId = Object.fromEntries(all.body.sessions.map((s) => [s.clientId, s]))
  expect(byId['room/1']).toMatchObject({
    connected: true,
    clean: false,
    subscriptions: 1,
    queued: 0,
  })
  expect(byId['room/2']).toMatchObject({ connected: false, clean: false, subscriptions: 1 })
  expect(byId['room/2']?.disconnectedAt).toEqual(expect.any(Number))

  const onlineOnly = await call<SessionPage>(broker, '/api/sessions?state=online')
  expect(onlineOnly.body.sessions.map((s) => s.clientId)).toEqual(['room/1'])
  const offlineOnly = await call<SessionPage>(broker, '/api/sessions?state=offline')
  expect(offlineOnly.body.sessions.map((s) => s.clientId)).toEqual(['room/2'])
})

test('a ClientID prefix narrows the list, and limit and cursor walk it page by page', async () => {
  const broker = await startBroker({ store: 'memory' })
  const ids = ['sensor-a', 'sensor-b', 'sensor-c', 'sensor-d', 'sensor-e', 'other']
  for (const clientId of ids) {
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
    await client.disconnect()
  }

  const seen: string[] = []
  let path = `/api/sessions?prefix=sensor-&limit=2`
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(3)
    const page = await call<SessionPage>(broker, path)
    expect(page.status).toBe(200)
    expect(page.body.sessions.length).toBeLessThanOrEqual(2)
    seen.push(...page.body.sessions.map((s) => s.clientId))
    if (page.body.next === null) break
    path = `/api/sessions?prefix=sensor-&limit=2&cursor=${encodeURIComponent(page.body.next)}`
  }
  expect(seen.sort()).toEqual(['sensor-a', 'sensor-b', 'sensor-c', 'sensor-d', 'sensor-e'])
})

test('without a limit a page holds at most 50 sessions', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (let i = 0; i < 51; i++) {
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId: `c${i}`,
      clean: false,
    })
    await client.disconnect()
  }
  const page = await call<SessionPage>(broker, '/api/sessions')
  expect(page.body.sessions).toHaveLength(50)
  expect(page.body.next).not.toBeNull()
  expect(page.body.counts.total).toBe(51)
})
