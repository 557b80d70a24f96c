import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

/** Online: dev-a (persistent), dev-c (clean), app-x (clean). Offline: dev-b, app-y. */
async function mixedSessions(broker: BrokerHandle): Promise<void> {
  const changes = new SessionChanges(broker.sessions)
  const url = broker.urls.mqtt
  for (const clientId of ['dev-b', 'app-y']) {
    const { client } = await RawClient.connect(url, { clientId, clean: false })
    await client.disconnect()
    await changes.next('disconnect', clientId)
  }
  await RawClient.connect(url, { clientId: 'dev-a', clean: false })
  await RawClient.connect(url, { clientId: 'dev-c' })
  await RawClient.connect(url, { clientId: 'app-x' })
  for (const clientId of ['dev-a', 'dev-c', 'app-x']) await changes.next('connect', clientId)
}

const ids = (page: { sessions: { clientId: string }[] }) => page.sessions.map((s) => s.clientId)

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('without filters every session is listed in ClientID order, with counts', async () => {
    const broker = await startBroker({ store })
    await mixedSessions(broker)

    const page = await broker.sessions.list({ limit: 50 })

    expect(ids(page)).toEqual(['app-x', 'app-y', 'dev-a', 'dev-b', 'dev-c'])
    expect(page.sessions.map((s) => [s.connected, s.clean])).toEqual([
      [true, true],
      [false, false],
      [true, false],
      [false, false],
      [true, true],
    ])
    expect(page.next).toBeNull()
    expect(page.counts).toEqual({ online: 3, offline: 2, total: 5 })
  })

  test('state online or offline keeps only those', async () => {
    const broker = await startBroker({ store })
    await mixedSessions(broker)

    expect(ids(await broker.sessions.list({ limit: 50, state: 'online' }))).toEqual([
      'app-x',
      'dev-a',
      'dev-c',
    ])
    expect(ids(await broker.sessions.list({ limit: 50, state: 'offline' }))).toEqual([
      'app-y',
      'dev-b',
    ])
  })

  test('a prefix keeps the ClientIDs starting with it, and counts only them', async () => {
    const broker = await startBroker({ store })
    await mixedSessions(broker)

    const dev = await broker.sessions.list({ limit: 50, prefix: 'dev-' })
    expect(ids(dev)).toEqual(['dev-a', 'dev-b', 'dev-c'])
    expect(dev.counts).toEqual({ online: 2, offline: 1, total: 3 })
    const offlineApps = await broker.sessions.list({ limit: 50, prefix: 'app', state: 'offline' })
    expect(ids(offlineApps)).toEqual(['app-y'])
    expect((await broker.sessions.list({ limit: 50, prefix: 'zzz' })).sessions).toEqual([])
  })
})
