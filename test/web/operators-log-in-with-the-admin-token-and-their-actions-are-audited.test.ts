import { expect, test } from 'vitest'
import type { SessionView } from '../../broker/sessions/types.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('disconnect and delete need an operator login; a wrong token is a 401', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const before = await viewer.post('/ui/sessions/x/disconnect')
  expect(before.status).toBe(401)
  expect((await before.json()).error.code).toBe('UNAUTHORIZED')
  const wrong = await viewer.post('/ui/login', { token: 'not-the-token' })
  expect(wrong.status).toBe(401)
  expect((await viewer.post('/ui/sessions/x/delete')).status).toBe(401)
  expect((await (await viewer.fetch('/ui/view')).json()).operator).toBe(false)
})

test('an operator disconnects and deletes a session; its history says admin', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  await viewer.login()
  expect((await (await viewer.fetch('/ui/view')).json()).operator).toBe(true)

  const clientId = 'plant/pump 7'
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
  await client.subscribe('plant/#', 1)
  const path = `/ui/sessions/${encodeURIComponent(clientId)}`

  const disconnected = await viewer.post(`${path}/disconnect`)
  expect(disconnected.status).toBe(200)
  expect(await disconnected.json()).toEqual({ clientId, disconnected: true })
  await client.waitClosed()
  const session = (await broker.sessions.get(clientId)) as SessionView
  expect(session.history.at(-1)).toMatchObject({ type: 'disconnect', reason: 'admin' })

  const again = await viewer.post(`${path}/disconnect`)
  expect(again.status).toBe(409)
  expect((await again.json()).error.code).toBe('NOT_CONNECTED')

  const changes: string[] = []
  broker.sessions.onChange((c) => changes.push(`${c.clientId} ${c.event.type}`))
  expect((await viewer.post(`${path}/delete`)).status).toBe(200)
  expect(changes).toContain(`${clientId} deleted`)
  expect(await broker.sessions.get(clientId)).toBeNull()
  const gone = await viewer.post(`${path}/delete`)
  expect(gone.status).toBe(404)
  expect((await gone.json()).error.code).toBe('NOT_FOUND')
})

test('logging out takes the operator rights away', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  await viewer.login()
  expect((await viewer.post('/ui/logout')).status).toBe(200)
  expect((await viewer.post('/ui/sessions/x/delete')).status).toBe(401)
})
