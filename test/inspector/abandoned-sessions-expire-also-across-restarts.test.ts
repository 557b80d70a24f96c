import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

const EXPIRY_S = 60

/** A persistent session with a subscription and a queued message, left offline. */
async function abandon(broker: BrokerHandle, clientId: string): Promise<void> {
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
  await client.subscribe(`cmd/${clientId}`, 1)
  await client.destroy()
  await changes.next('disconnect', clientId)
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: `pub-${clientId}` })
  await publish(pub, `cmd/${clientId}`, 'queued', 1, 1)
  await pub.disconnect()
}

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('a session offline longer than --session-expiry is discarded, with an expired event', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store, sessionExpiry: EXPIRY_S }, { clock })
    const changes = new SessionChanges(broker.sessions)
    await abandon(broker, 'gone')
    const { client: online } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'here',
      clean: false,
    })
    await online.ping()

    clock.advance(EXPIRY_S * 1000) // exactly the expiry: not past it
    expect(await broker.sessions.get('gone')).not.toBeNull()
    clock.advance(30_000)

    const { event } = await changes.next('expired', 'gone')
    expect(event).toEqual({ type: 'expired', at: clock.now(), idleMs: EXPIRY_S * 1000 + 30_000 })
    expect(await broker.sessions.get('gone')).toBeNull()
    expect(await broker.store.subscriptionsByTopic('cmd/gone')).toEqual([])
    expect((await broker.store.sessionStats(['gone'])).get('gone')?.queued).toBe(0)
    // a connected session never expires
    expect(await broker.sessions.get('here')).toMatchObject({ connected: true })
    expect(changes.all.filter((c) => c.event.type === 'expired')).toHaveLength(1)
  })

  test('with --session-expiry 0 sessions never expire', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store, sessionExpiry: 0 }, { clock })
    await abandon(broker, 'kept')
    clock.advance(10 * 365 * 24 * 3600 * 1000)
    expect(await broker.sessions.get('kept')).toMatchObject({ connected: false })
  })
})

describe('on SQLite, across a restart', () => {
  test('the time offline counts from the disconnect before the restart', async () => {
    const dataDir = tempDir()
    const clock = new ManualClock()
    const before = await startBroker({ dataDir, sessionExpiry: EXPIRY_S }, { clock })
    await abandon(before, 'gone')
    await before.close()

    clock.advance(40_000)
    const after = await startBroker({ dataDir, sessionExpiry: EXPIRY_S }, { clock })
    const changes = new SessionChanges(after.sessions)
    expect(await after.sessions.get('gone')).toMatchObject({ connected: false })
    clock.advance(30_000)

    const { event } = await changes.next('expired', 'gone')
    expect(event.idleMs).toBe(70_000)
    expect(await after.sessions.get('gone')).toBeNull()
  })

  test('a session past its expiry while the broker was down is discarded at start-up', async () => {
    const dataDir = tempDir()
    const clock = new ManualClock()
    const before = await startBroker({ dataDir, sessionExpiry: EXPIRY_S }, { clock })
    await abandon(before, 'gone')
    clock.advance(30_000)
    await abandon(before, 'fresh')
    await before.close()

    clock.advance(EXPIRY_S * 1000 - 30_000 + 1)
    const after = await startBroker({ dataDir, sessionExpiry: EXPIRY_S }, { clock })

    expect(after.sessions.expiredAtStartup).toBe(1)
    expect(await after.sessions.get('gone')).toBeNull()
    expect(await after.sessions.get('fresh')).toMatchObject({ connected: false })
    const resumed = await RawClient.connect(after.urls.mqtt, { clientId: 'gone', clean: false })
    expect(resumed.connack.sessionPresent).toBe(false)
  })
})
