import { describe, expect, test } from 'vitest'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { startRedis } from '../helpers/redis-server.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { stores } from './stores.ts'

// A CONNECT with Clean Start 1 and a Session Expiry Interval > 0 discards
// the earlier session and starts one that outlives the connection
// [MQTT-3.1.2-4]; like any other it ends at its interval [MQTT-3.1.2-23].

describe.each(stores)('on the %s store', (store) => {
  test('a session started with Clean Start 1 and an expiry ends at its expiry', async () => {
    const clock = new ManualClock()
    const redis = store === 'redis' ? await startRedis() : undefined
    const broker = await startBroker(
      { sysInterval: 0, store, dataDir: tempDir(), ...(redis ? { redisUrl: redis.url } : {}) },
      { clock },
    )
    const changes = new SessionChanges(broker.sessions)
    const { client } = await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      clean: true,
      properties: { sessionExpiryInterval: 60 },
    })
    await client.subscribeAsync('jobs', { qos: 1 })
    await client.endAsync()
    await changes.next('disconnect', 'dev')
    await broker.store.flush()
    expect(await broker.store.getSession('dev')).toMatchObject({ sessionExpiry: 60 })

    clock.advance(60_000)
    const { event } = await changes.next('expired', 'dev')
    expect(event).toMatchObject({ type: 'expired', idleMs: 60_000 })
    const again = await connect5(broker.urls.mqtt, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
    await broker.close()
    await redis?.stop()
  })
})
