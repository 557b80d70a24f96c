import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { api, client, startNode } from './cluster.ts'

describe.skipIf(!redisAvailable())(
  'a second connection with the same ClientID on another node',
  () => {
    let redis: { url: string; stop(): Promise<void> }
    beforeAll(async () => {
      redis = await startRedis()
    })
    afterAll(() => redis.stop())

    it('closes the first connection, publishes its Will once and holds the session [MQTT-3.1.4-2]', {
      timeout: 30_000,
    }, async () => {
      const a = await startNode(redis.url, 'node-a')
      const b = await startNode(redis.url, 'node-b')
      const watcher = await client(b.mqttUrl, { clientId: 'watcher', clean: true })
      await watcher.mqtt.subscribeAsync('wills/#', { qos: 1 })
      const first = await client(a.mqttUrl, {
        clientId: 'device-1',
        clean: false,
        will: { topic: 'wills/device-1', payload: Buffer.from('gone'), qos: 1, retain: false },
      })
      await first.mqtt.subscribeAsync('fleet/device-1/cmd', { qos: 1 })

      const second = await client(b.mqttUrl, { clientId: 'device-1', clean: false })
      await first.closed

      expect(second.sessionPresent).toBe(true)
      expect(await watcher.receive(1)).toEqual([
        { topic: 'wills/device-1', payload: 'gone', qos: 1, dup: false },
      ])
      // the session now answers on node B: a message for it reaches the new connection
      const publisher = await client(a.mqttUrl, { clientId: 'publisher', clean: true })
      await publisher.mqtt.publishAsync('fleet/device-1/cmd', 'after takeover', { qos: 1 })
      expect((await second.receive(1))[0].payload).toBe('after takeover')
      // a marker behind the Will: had the Will gone out twice, the second would come first
      await publisher.mqtt.publishAsync('wills/marker', 'marker', { qos: 1 })
      expect((await watcher.receive(2)).map((m) => m.payload)).toEqual(['gone', 'marker'])

      const { body } = await api(a, '/api/sessions/device-1')
      expect(body).toMatchObject({ connected: true, node: 'node-b', takeovers: 1 })
      // node A's own history of the session says why its connection closed
      expect((body as { history: { type: string; reason?: string }[] }).history).toContainEqual(
        expect.objectContaining({ type: 'disconnect', reason: 'takeover' }),
      )
    })
  },
)
