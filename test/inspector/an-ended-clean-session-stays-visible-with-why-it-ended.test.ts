import { describe, expect, test } from 'vitest'
import type { SessionPage, SessionView } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call } from '../http/http-client.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('a clean session that dropped is shown as ended: its reason, end time, last connection and history', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'dev1',
      keepalive: 30,
      username: 'alice',
    })
    await client.subscribe('cmd/dev1', 1)
    const connectedAt = clock.now()
    clock.advance(5000)

    await client.destroy()
    await changes.next('disconnect', 'dev1')

    const view = await broker.sessions.get('dev1')
    expect(view).toMatchObject({
      clientId: 'dev1',
      state: 'ended',
      connected: false,
      clean: true,
      keepalive: 30,
      username: 'alice',
      remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      connectedAt,
      disconnectedAt: clock.now(),
      ended: { at: clock.now(), reason: 'network' },
      // [MQTT-3.1.2-6]: the broker holds nothing for it any more
      subscriptions: [],
      queue: { count: 0, bytes: 0, oldestAgeMs: null },
      will: null,
    })
    expect(view?.history.map((e) => e.type)).toEqual(['connect', 'subscribe', 'disconnect'])
    expect(await broker.store.getSession('dev1')).toBeUndefined()
  })
})

test('ended sessions are listed only with state=ended, and do not count as sessions held', async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  const gone = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev-gone' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev-here' })
  await gone.client.disconnect()
  await changes.next('disconnect', 'dev-gone')

  const all = await broker.sessions.list({ limit: 10 })
  expect(all.sessions.map((s) => [s.clientId, s.state])).toEqual([['dev-here', 'online']])
  expect(all.counts).toEqual({ online: 1, offline: 0, total: 1 })
  const ended = await call<SessionPage>(broker, '/api/sessions?state=ended&prefix=dev-')
  expect(ended.status).toBe(200)
  expect(ended.body.sessions).toEqual([
    {
      clientId: 'dev-gone',
      state: 'ended',
      connected: false,
      node: null,
      clean: true,
      protocolVersion: 4,
      username: null,
      remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      connectedAt: expect.any(Number),
      disconnectedAt: expect.any(Number),
      lastActivity: expect.any(Number),
      inflight: 0,
      dropped: 0,
      ended: { at: expect.any(Number), reason: 'client' },
      queued: 0,
      subscriptions: 0,
    },
  ])
  expect(ended.body.counts).toEqual({ online: 1, offline: 0, total: 1 })

  const one = await call<SessionView>(broker, '/api/sessions/dev-gone')
  expect(one.status).toBe(200)
  expect(one.body).toMatchObject({ state: 'ended', ended: { reason: 'client' } })
  const bad = await call<{ error: { reason: string } }>(broker, '/api/sessions?state=gone')
  expect(bad.status).toBe(400)
  expect(bad.body.error.reason).toBe('state must be online, offline or ended, got "gone"')
})

test('the ended list pages by cursor in ClientID order', async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  for (const clientId of ['c', 'a', 'b']) {
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId })
    await client.disconnect()
    await changes.next('disconnect', clientId)
  }

  const first = await broker.sessions.list({ state: 'ended', limit: 2 })
  expect(first.sessions.map((s) => s.clientId)).toEqual(['a', 'b'])
  const second = await broker.sessions.list({
    state: 'ended',
    limit: 2,
    cursor: first.next ?? undefined,
  })
  expect(second.sessions.map((s) => s.clientId)).toEqual(['c'])
  expect(second.next).toBeNull()
})
