import type { MqttClient } from 'mqtt'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5, messages, open5 } from '../helpers/mqtt5.ts'
import { startRedis } from '../helpers/redis-server.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call } from '../http/http-client.ts'
import { sample } from '../metrics/prom-text.ts'
import { type StoreKind, stores } from './stores.ts'

// MQTT 5 Message Expiry Interval on SessionLab's own resume path: a message
// whose lifetime ran out while it waited, queued or in flight, is not sent
// [MQTT-5: 3.3.2-5]; it leaves the store, is counted and is in the session's
// history. The others carry what is left of their lifetime [MQTT-5: 3.3.2-6].
// The lifetime runs on the broker's clock (injected here).

async function brokerOn(store: StoreKind, clock: ManualClock, maxInflight: number) {
  const redis = store === 'redis' ? await startRedis() : undefined
  const broker = await startBroker(
    {
      sysInterval: 0,
      maxInflight,
      store,
      dataDir: tempDir(),
      ...(redis ? { redisUrl: redis.url } : {}),
    },
    { clock },
  )
  return {
    broker,
    async stop() {
      await broker.close()
      await redis?.stop()
    },
  }
}

const dev = { clientId: 'dev', clean: false, properties: { sessionExpiryInterval: 3600 } }

async function publish(broker: BrokerHandle, topic: string, expiry?: number) {
  const { client } = await connect5(broker.urls.mqtt, { clientId: `pub-${topic}` })
  const properties = expiry === undefined ? {} : { messageExpiryInterval: expiry }
  await client.publishAsync(topic, topic, { qos: 1, properties })
  await client.endAsync()
}

/** `dev` back: the first `count` messages it receives. */
async function resume(broker: BrokerHandle, count: number) {
  const client = open5(broker.urls.mqtt, { ...dev })
  const got = await messages(client, count)
  return { client, got }
}

async function expiredDrops(broker: BrokerHandle): Promise<number | undefined> {
  const text = (await call<string>(broker, '/metrics')).text
  return sample(text, 'sessionlab_dropped_messages_total', { reason: 'expired' })
}

describe.each(stores.flatMap((s) => [0, 10].map((w) => [s, w] as const)))(
  'on the %s store, --max-inflight %i',
  (store, maxInflight) => {
    test('a queued message past its lifetime is dropped; the others carry what is left', async () => {
      const clock = new ManualClock()
      const b = await brokerOn(store, clock, maxInflight)
      const { client } = await connect5(b.broker.urls.mqtt, dev)
      await client.subscribeAsync('t/#', { qos: 1 })
      await client.endAsync()
      await publish(b.broker, 't/short', 10)
      await publish(b.broker, 't/long', 100)
      await publish(b.broker, 't/none')
      const changes = new SessionChanges(b.broker.sessions)

      clock.advance(30_000)
      const { got } = await resume(b.broker, 2)
      expect(got.map((m) => m.topic)).toEqual(['t/long', 't/none'])
      expect(got[0].properties?.messageExpiryInterval).toBe(70)
      expect(got[1].properties?.messageExpiryInterval).toBeUndefined()
      const { event } = await changes.next('dropped', 'dev')
      expect(event).toMatchObject({ topic: 't/short', why: 'expired' })
      expect(b.broker.policies.counters.droppedBy.expired).toBe(1)
      expect(await expiredDrops(b.broker)).toBe(1)
      await b.broker.store.flush()
      const left = await b.broker.store.outgoingStream({ id: 'dev' }).toArray()
      expect(left.map((e: { topic?: string }) => e.topic)).not.toContain('t/short')
      await b.stop()
    })

    test('an in-flight message past its lifetime is not resent', async () => {
      const clock = new ManualClock()
      const b = await brokerOn(store, clock, maxInflight)
      const first = await connect5(b.broker.urls.mqtt, dev)
      await first.client.subscribeAsync('t/#', { qos: 1 })
      // received, never acknowledged: it stays in flight
      const unacked = new Promise<void>((resolve) => {
        ;(first.client as MqttClient & { handleMessage: unknown }).handleMessage = () => resolve()
      })
      await publish(b.broker, 't/short', 5)
      await unacked
      const changes = new SessionChanges(b.broker.sessions)
      first.client.end(true)
      await changes.next('disconnect', 'dev')
      await publish(b.broker, 't/marker')

      clock.advance(5_000)
      const { got } = await resume(b.broker, 1)
      expect(got[0].topic).toBe('t/marker')
      expect(got[0].dup).toBe(false)
      expect(b.broker.policies.counters.droppedBy.expired).toBe(1)
      await b.stop()
    })
  },
)
