import type { MqttClient } from 'mqtt'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5, messages, nextMessage, open5 } from '../helpers/mqtt5.ts'
import { startRedis } from '../helpers/redis-server.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { durableStores, type StoreKind, stores } from './stores.ts'

// MQTT 5 Will Delay Interval [MQTT-3.1.3-9]: the Will is published once the
// delay has passed or the session has ended, whichever comes first, and not
// at all when a new connection to the session comes before. The delay runs
// on the broker's clock (injected here) and is kept in the store with its
// due time, so a restart keeps it.

async function brokerOn(store: StoreKind, clock: ManualClock) {
  const dataDir = tempDir()
  const redis = store === 'redis' ? await startRedis() : undefined
  // no $SYS timers: they would publish as the clock jumps
  const config = { sysInterval: 0, store, dataDir, ...(redis ? { redisUrl: redis.url } : {}) }
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

/** A persistent watcher of `wills/#` (its QoS 1 copies are queued while it is away). */
async function watch(broker: BrokerHandle): Promise<MqttClient> {
  const { client } = await connect5(broker.urls.mqtt, {
    clientId: 'watcher',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  })
  await client.subscribeAsync('wills/#', { qos: 1 })
  return client
}

/** `dev` with a Will of `delay` seconds and a session of `expiry` seconds. */
function connectDev(broker: BrokerHandle, delay: number, expiry = 300) {
  return connect5(broker.urls.mqtt, {
    clientId: 'dev',
    clean: false,
    properties: { sessionExpiryInterval: expiry },
    will: {
      topic: 'wills/dev',
      payload: Buffer.from('dev gone'),
      qos: 1,
      retain: false,
      properties: { willDelayInterval: delay, userProperties: { why: 'test' } },
    },
  })
}

/** `dev`'s connection is lost (no DISCONNECT); resolves once its Will is stored with its due time. */
async function lose(broker: BrokerHandle, client: MqttClient): Promise<void> {
  const changes = new SessionChanges(broker.sessions)
  client.stream.destroy()
  await changes.next('disconnect', 'dev')
  await broker.store.flush()
}

describe.each(stores)('on the %s store', (store) => {
  test('the Will is published when its delay has passed, with its properties', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const watcher = await watch(b.broker())
    const { client } = await connectDev(b.broker(), 30)
    await lose(b.broker(), client)
    expect(await b.broker().store.getWill({ id: 'dev' })).toMatchObject({
      topic: 'wills/dev',
      willDueAt: clock.now() + 30_000,
    })

    const will = nextMessage(watcher)
    clock.advance(29_999)
    await b.broker().store.flush()
    expect(await b.broker().store.getWill({ id: 'dev' })).toBeDefined()
    clock.advance(1)
    const got = await will
    expect(got.topic).toBe('wills/dev')
    expect(String(got.payload)).toBe('dev gone')
    expect(got.properties?.userProperties).toEqual({ why: 'test' })
    expect(await b.broker().store.getWill({ id: 'dev' })).toBeUndefined()
    const history = (await b.broker().sessions.get('dev'))?.history ?? []
    expect(history.some((e) => e.type === 'will')).toBe(true)
    await b.stop()
  })

  test('a new connection within the delay means the Will is never sent', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const watcher = await watch(b.broker())
    const { client } = await connectDev(b.broker(), 30)
    await lose(b.broker(), client)
    clock.advance(10_000)
    const again = await connect5(b.broker().urls.mqtt, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(true)
    await b.broker().store.flush()
    // the store is what the delay's timer reads: nothing is left to publish
    expect(await b.broker().store.getWill({ id: 'dev' })).toBeUndefined()

    clock.advance(60_000)
    const first = nextMessage(watcher)
    await again.client.publishAsync('wills/marker', 'marker', { qos: 1 })
    expect((await first).topic).toBe('wills/marker')
    await b.stop()
  })

  test('the session ending before the delay publishes the Will then', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const watcher = await watch(b.broker())
    const changes = new SessionChanges(b.broker().sessions)
    const { client } = await connectDev(b.broker(), 600, 10)
    await lose(b.broker(), client)
    expect(await b.broker().store.getWill({ id: 'dev' })).toMatchObject({
      willDueAt: clock.now() + 10_000,
    })

    const will = nextMessage(watcher)
    clock.advance(10_000)
    expect((await will).topic).toBe('wills/dev')
    await changes.next('expired', 'dev')
    await b.stop()
  })

  test('DISCONNECT 0x04 (with Will) publishes the Will after its delay', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const watcher = await watch(b.broker())
    const changes = new SessionChanges(b.broker().sessions)
    const { client } = await connectDev(b.broker(), 20)
    await client.endAsync(false, { reasonCode: 0x04 })
    await changes.next('disconnect', 'dev')
    await b.broker().store.flush()
    expect(await b.broker().store.getWill({ id: 'dev' })).toMatchObject({
      willDueAt: clock.now() + 20_000,
    })

    const will = nextMessage(watcher)
    clock.advance(20_000)
    expect(String((await will).payload)).toBe('dev gone')
    await b.stop()
  })
})

describe.each(durableStores)('across a restart, on the %s store', (store) => {
  test('a Will delayed as the broker shut down is published when due by the next run', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    await watch(b.broker())
    await connectDev(b.broker(), 30)
    // shutdown closes dev without DISCONNECT: its Will waits, stored with its due time
    const due = clock.now() + 30_000
    const next = await b.restart()
    expect(next.orphanedWillsPublished).toBe(0)
    expect(await next.store.getWill({ id: 'dev' })).toMatchObject({ willDueAt: due })
    const watcher = (await connect5(next.urls.mqtt, { clientId: 'watcher', clean: false })).client
    const will = nextMessage(watcher)
    clock.advance(30_000)
    expect((await will).topic).toBe('wills/dev')
    await b.stop()
  })

  test('a Will that fell due while the broker was down is published at start-up', async () => {
    const clock = new ManualClock()
    const b = await brokerOn(store, clock)
    const watcher = await watch(b.broker())
    await watcher.endAsync()
    const { client } = await connectDev(b.broker(), 30)
    await lose(b.broker(), client)
    const next = await b.restart(() => clock.advance(45_000))
    expect(await next.store.getWill({ id: 'dev' })).toBeUndefined()
    // queued for the watcher's session as the broker started
    const back = open5(next.urls.mqtt, { clientId: 'watcher', clean: false })
    const [will] = await messages(back, 1)
    expect(will.topic).toBe('wills/dev')
    await b.stop()
  })
})
