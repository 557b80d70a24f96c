import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { startRedis } from '../helpers/redis-server.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { durableStores, type StoreKind, stores } from '../rules/stores.ts'

// MQTT 5 Session Expiry [MQTT-3.1.2-23]: the session ends exactly its
// interval after the connection closed, on the broker's clock (injected
// here), the interval and the disconnect time kept in the store, so also
// across a restart. 0xFFFFFFFF never ends [MQTT-3.1.2-11].

/** A broker on `store` driven by `clock`, and `restart()` on the same state. */
async function brokerOn(store: StoreKind, clock: ManualClock, overrides: Partial<Config> = {}) {
  const dataDir = tempDir()
  const redis = store === 'redis' ? await startRedis() : undefined
  // no $SYS timers: the clock is advanced by hours, and they would publish as the broker closes
  const config = {
    sysInterval: 0,
    ...overrides,
    store,
    dataDir,
    ...(redis ? { redisUrl: redis.url } : {}),
  }
  let current = await startBroker(config, { clock })
  return {
    broker: () => current,
    async restart(between: () => void = () => {}): Promise<BrokerHandle> {
      await current.close()
      between()
      current = await startBroker(config, { clock })
      return current
    },
    async stop() {
      await current.close()
      await redis?.stop()
    },
  }
}

/** An MQTT 5 session of `expiry` seconds with a subscription, left offline. */
async function leave(broker: BrokerHandle, clientId: string, expiry: number) {
  const changes = new SessionChanges(broker.sessions)
  const { client } = await connect5(broker.urls.mqtt, {
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: expiry },
  })
  await client.subscribeAsync(`cmd/${clientId}`, { qos: 1 })
  await client.endAsync()
  await changes.next('disconnect', clientId)
  await broker.store.flush()
}

describe.each(stores)('on the %s store', (store) => {
  test('a session ends exactly at its Session Expiry Interval, with an expired event', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const broker = b.broker()
    const changes = new SessionChanges(broker.sessions)
    await leave(broker, 'dev', 60)
    await leave(broker, 'longer', 120)
    expect(await broker.store.getSession('dev')).toMatchObject({ sessionExpiry: 60 })

    clock.advance(60_000 - 1)
    await broker.store.flush()
    expect(await broker.sessions.get('dev')).toMatchObject({ connected: false })
    clock.advance(1)
    const { event } = await changes.next('expired', 'dev')
    expect(event).toEqual({ type: 'expired', at: clock.now(), idleMs: 60_000 })
    expect(await broker.sessions.get('dev')).toBeNull()
    expect(await broker.store.subscriptionsByTopic('cmd/dev')).toEqual([])
    expect(await broker.sessions.get('longer')).toMatchObject({ connected: false })

    const again = await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    })
    expect(again.connack.sessionPresent).toBe(false)
    await b.stop()
  })

  test('0xFFFFFFFF never expires, and --session-expiry does not touch MQTT 5 sessions', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock, { sessionExpiry: 10 })
    await leave(b.broker(), 'forever', 0xffffffff)
    clock.advance(10 * 365 * 24 * 3600 * 1000)
    await b.broker().store.flush()
    expect(await b.broker().sessions.get('forever')).toMatchObject({ connected: false })
    const again = await connect5(b.broker().urls.mqtt, { clientId: 'forever', clean: false })
    expect(again.connack.sessionPresent).toBe(true)
    await b.stop()
  })

  test('a DISCONNECT shortens the interval; the session then ends at the new one', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const broker = b.broker()
    const changes = new SessionChanges(broker.sessions)
    const { client } = await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    })
    await client.subscribeAsync('cmd/dev', { qos: 1 })
    await client.endAsync(false, { properties: { sessionExpiryInterval: 30 } })
    await changes.next('disconnect', 'dev')
    await broker.store.flush()
    clock.advance(30_000)
    const { event } = await changes.next('expired', 'dev')
    expect(event.idleMs).toBe(30_000)
    await b.stop()
  })

  test('--max-session-expiry lowers a longer request and says so in CONNACK', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock, { maxSessionExpiry: 100 })
    const broker = b.broker()
    const changes = new SessionChanges(broker.sessions)
    const { client, connack } = await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    })
    expect(connack.properties?.sessionExpiryInterval).toBe(100) // [MQTT-3.2.2-3.2]
    const within = await connect5(broker.urls.mqtt, {
      clientId: 'within',
      properties: { sessionExpiryInterval: 50 },
    })
    expect(within.connack.properties?.sessionExpiryInterval).toBeUndefined()
    await client.endAsync()
    await changes.next('disconnect', 'dev')
    await broker.store.flush()
    clock.advance(100_000)
    expect((await changes.next('expired', 'dev')).event.idleMs).toBe(100_000)
    await b.stop()
  })
})

describe.each(durableStores)('on the %s store, across a restart', (store) => {
  test('the time offline counts from the disconnect before the restart', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    await leave(b.broker(), 'dev', 60)
    const after = await b.restart(() => clock.advance(40_000))
    const changes = new SessionChanges(after.sessions)
    expect(await after.sessions.get('dev')).toMatchObject({ connected: false })
    clock.advance(20_000 - 1)
    await after.store.flush()
    expect(await after.sessions.get('dev')).toMatchObject({ connected: false })
    clock.advance(1)
    expect((await changes.next('expired', 'dev')).event.idleMs).toBe(60_000)
    expect(await after.sessions.get('dev')).toBeNull()
    await b.stop()
  })

  test('a session whose interval ran out while the broker was down ends at start-up', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    await leave(b.broker(), 'gone', 60)
    await leave(b.broker(), 'kept', 3600)
    const after = await b.restart(() => clock.advance(60_000))
    expect(after.sessions.expiredAtStartup).toBe(1)
    expect(await after.sessions.get('gone')).toBeNull()
    expect(await after.sessions.get('kept')).toMatchObject({ connected: false })
    const resumed = await connect5(after.urls.mqtt, { clientId: 'kept', clean: false })
    expect(resumed.connack.sessionPresent).toBe(true)
    await b.stop()
  })
})
