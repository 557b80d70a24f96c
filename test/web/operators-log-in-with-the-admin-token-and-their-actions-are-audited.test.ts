import { expect, test } from 'vitest'
import type { SessionView } from '../../broker/inspector/types.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('disconnect and delete need an operator login; a wrong token is a 401', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const before = await viewer.post('/ui/sessions/x/disconnect')
  expect(before.status).toBe(401)
  expect(await before.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
  const wrong = await viewer.post('/ui/login', { token: 'not-the-token' })
  expect(wrong.status).toBe(401)
  expect((await viewer.post('/ui/sessions/x/delete')).status).toBe(401)
  expect((await viewer.view()).operator).toBe(false)
})

test('an operator disconnects and deletes a session; its history says admin', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  await viewer.login()
  expect((await viewer.view()).operator).toBe(true)

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
  expect(await again.json()).toMatchObject({ error: { code: 'NOT_CONNECTED' } })

  const changes: string[] = []
  broker.sessions.onChange((c) => changes.push(`${c.clientId} ${c.event.type}`))
  expect((await viewer.post(`${path}/delete`)).status).toBe(200)
  expect(changes).toContain(`${clientId} deleted`)
  expect(await broker.sessions.get(clientId)).toBeNull()
  const gone = await viewer.post(`${path}/delete`)
  expect(gone.status).toBe(404)
  expect(await gone.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
})

test('logging out takes the operator rights away', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  await viewer.login()
  const out = await viewer.post('/ui/logout')
  expect(out.status).toBe(200)
  viewer.csrf = ((await out.json()) as { csrf: string }).csrf
  expect((await viewer.post('/ui/sessions/x/delete')).status).toBe(401)
})

test('logging in gives the viewer a new id: a cookie planted before login never becomes operator', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  // what an attacker would have fixed in the victim's browser
  const planted = { cookie: viewer.cookie, csrf: viewer.csrf }
  const before = viewerIdOf(viewer.cookieValue)
  await viewer.login()
  expect(viewerIdOf(viewer.cookieValue)).not.toBe(before)

  const attacker = new Viewer(broker)
  attacker.cookie = planted.cookie
  attacker.csrf = planted.csrf
  expect((await attacker.view()).operator).toBe(false)
  expect((await attacker.post('/ui/sessions/x/delete')).status).toBe(401)
  // and the operator's own new cookie works with its new CSRF token
  expect((await viewer.post('/ui/sessions/x/delete')).status).toBe(404)
})

/** The viewer id inside a signed cookie value (`base64url(JSON).mac`). */
function viewerIdOf(value: string): string {
  const body = value.slice(0, value.indexOf('.'))
  return (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { id: string }).id
}
