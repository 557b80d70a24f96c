import { expect, test } from 'vitest'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

test('on SQLite an offline session keeps its record, queue and counts across a restart', async () => {
  const dataDir = tempDir()
  const clock = new ManualClock()
  const before = await startBroker({ dataDir }, { clock })
  const changes = new SessionChanges(before.sessions)
  const url = before.urls.mqtt
  const first = await RawClient.connect(url, { clientId: 'dev', clean: false, keepalive: 60 })
  await first.client.subscribe('cmd/#', 1)
  clock.advance(1000)
  const { client } = await RawClient.connect(url, {
    clientId: 'dev',
    clean: false,
    keepalive: 45,
    username: 'ops',
    protocolVersion: 3,
  })
  await first.client.waitClosed()
  const connectedAt = clock.now()
  clock.advance(1000)
  await client.destroy()
  await changes.next('disconnect', 'dev')
  const disconnectedAt = clock.now()
  clock.advance(1000)
  const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
  await publish(pub, 'cmd/a', 'abc', 1, 1)
  before.sessions.record('dev', {
    type: 'dropped',
    at: clock.now(),
    topic: 'cmd/b',
    bytes: 3,
    why: 'queue-full',
  })
  const viewBefore = await before.sessions.get('dev')
  await before.close()

  clock.advance(10_000)
  const after = await startBroker({ dataDir }, { clock })
  const view = await after.sessions.get('dev')

  expect(view).toEqual({
    ...viewBefore,
    history: [], // the history is held in memory: a new run starts it afresh
    queue: { count: 1, bytes: 3, oldestAgeMs: 10_000 },
  })
  expect(view).toMatchObject({
    clientId: 'dev',
    connected: false,
    clean: false,
    protocolVersion: 3,
    keepalive: 45,
    username: 'ops',
    connectedAt,
    disconnectedAt,
    lastActivity: connectedAt, // its last packet was its CONNECT
    subscriptions: [{ topic: 'cmd/#', qos: 1 }],
    dropped: 1,
    takeovers: 1,
  })
  expect(view?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
  const page = await after.sessions.list({ limit: 10 })
  expect(page.sessions.map((s) => s.clientId)).toEqual(['dev'])
  expect(page.counts).toEqual({ online: 0, offline: 1, total: 1 })
})

test('a session a run left connected counts as disconnected when the broker starts again', async () => {
  const dataDir = tempDir()
  const clock = new ManualClock()
  const before = await startBroker({ dataDir }, { clock })
  const changes = new SessionChanges(before.sessions)
  await RawClient.connect(before.urls.mqtt, { clientId: 'dev', clean: false })
  await changes.next('connect', 'dev')
  // As if the process died: the record still says connected.
  await before.store.flush()
  expect((await before.store.getSession('dev'))?.disconnectedAt).toBeNull()
  await before.close()
  await reopenWithoutDisconnect(dataDir)

  clock.advance(5000)
  const after = await startBroker({ dataDir }, { clock })

  expect(await after.sessions.get('dev')).toMatchObject({
    connected: false,
    disconnectedAt: clock.now(),
  })
})

/** Marks the stored session connected again, as a kill -9 would have left it. */
async function reopenWithoutDisconnect(dataDir: string): Promise<void> {
  const { openSqliteStore } = await import('../../broker/store/sqlite/index.ts')
  const store = openSqliteStore({ file: `${dataDir}/sessionlab.db` })
  await store.touchSession('dev', { disconnectedAt: null })
  await store.destroy()
}
