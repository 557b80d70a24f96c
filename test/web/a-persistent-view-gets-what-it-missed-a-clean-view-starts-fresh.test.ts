import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('a persistent view closed and reopened receives the changes it missed, once', async () => {
  const broker = await startDashboard()
  const changes = new SessionChanges(broker.sessions)
  const viewer = new Viewer(broker)
  await viewer.open()
  const first = await viewer.live()
  await first.next('welcome')
  await first.close()

  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'away-1', clean: false })
  await client.subscribe('t/#', 1)
  await changes.next('subscribe', 'away-1')

  const second = await viewer.live()
  const welcome = await second.next('welcome')
  expect(welcome.resumed).toBe(true)
  expect(welcome.missed.map((c) => `${c.clientId} ${c.event.type}`)).toEqual([
    'away-1 connect',
    'away-1 subscribe',
  ])
  await second.close()
  const third = await viewer.live()
  expect((await third.next('welcome')).missed).toEqual([])
})

test('a persistent view following ClientIDs misses only theirs, and at most its bound', async () => {
  const broker = await startDashboard({}, { maxMissed: 2 })
  const changes = new SessionChanges(broker.sessions)
  const viewer = new Viewer(broker)
  await viewer.open()
  const filter = { state: 'all', prefix: '' }
  expect((await viewer.post('/ui/view', { state: { follows: ['mine'], filter } })).status).toBe(200)

  for (const clientId of ['other', 'mine']) {
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
    await client.subscribe('a', 1)
    await client.subscribe('b', 1)
    await changes.next('subscribe', clientId)
    await changes.next('subscribe', clientId)
  }
  const welcome = await (await viewer.live()).next('welcome')
  expect(welcome.missed.map((c) => `${c.clientId} ${c.event.type}`)).toEqual([
    'mine subscribe',
    'mine subscribe',
  ])
  expect(welcome.missedDropped).toBe(1)
})

test('a clean view receives nothing it missed: the server kept nothing for it', async () => {
  const broker = await startDashboard()
  const changes = new SessionChanges(broker.sessions)
  const viewer = new Viewer(broker)
  await viewer.open()
  const switched = await viewer.post('/ui/mode', { mode: 'clean' })
  expect(switched.status).toBe(200)
  viewer.csrf = ((await switched.json()) as { csrf: string }).csrf
  const first = await viewer.live()
  expect(await first.next('welcome')).toMatchObject({ mode: 'clean', resumed: false })
  await first.close()

  await RawClient.connect(broker.urls.mqtt, { clientId: 'away-2', clean: false })
  await changes.next('connect', 'away-2')
  const second = await viewer.live()
  expect(await second.next('welcome')).toMatchObject({ mode: 'clean', missed: [] })
})

test("a clean view's state travels in its cookie; a persistent view's stays on the server", async () => {
  const broker = await startDashboard()
  const state = { follows: ['x'], filter: { state: 'offline', prefix: 'x' } }

  const persistent = new Viewer(broker)
  await persistent.open()
  const before = persistent.cookie
  const saved = await persistent.post('/ui/view', { state })
  // only its Max-Age is refreshed (a call is a visit): the cookie names the same view, no state in it
  expect(saved.headers.getSetCookie()).toHaveLength(1)
  expect(viewerId(persistent.cookie)).toBe(viewerId(before))
  expect((await persistent.view()).state).toEqual(state)

  const clean = new Viewer(broker)
  await clean.open()
  const switched = await clean.post('/ui/mode', { mode: 'clean' })
  clean.csrf = ((await switched.json()) as { csrf: string }).csrf
  const cookieBefore = clean.cookie
  const kept = await clean.post('/ui/view', { state })
  expect(kept.headers.getSetCookie()).toHaveLength(1)
  expect(clean.cookie).not.toBe(cookieBefore)
  expect((await clean.view()).state).toEqual(state)
  // the same viewer without its newest cookie has lost the state: the server has none
  const forgetful = new Viewer(broker)
  forgetful.cookie = cookieBefore
  expect((await forgetful.view()).state.follows).toEqual([])
})

test('a view state that is not one, or too large for a cookie, is a 400', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const filter = { state: 'all', prefix: '' }
  for (const state of [
    null,
    { follows: 'x', filter },
    { follows: [], filter: { state: 'sleeping', prefix: '' } },
    { follows: Array.from({ length: 11 }, (_, i) => `id-${i}`), filter },
  ]) {
    const res = await viewer.post('/ui/view', { state })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } })
  }
  expect((await viewer.post('/ui/mode', { mode: 'dirty' })).status).toBe(400)
})

/** The viewer id a cookie names, and whether it carries a state (read, not verified). */
function viewerId(cookie: string | null): string | undefined {
  const body = cookie?.split('=')[1]?.split('.')[0] ?? ''
  const viewer = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
    id: string
    state?: unknown
  }
  expect(viewer.state).toBeUndefined()
  return viewer.id
}
