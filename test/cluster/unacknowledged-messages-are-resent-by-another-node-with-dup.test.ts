import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { client, startNode } from './cluster.ts'

describe.skipIf(!redisAvailable())('messages node A sent and the client never acknowledged', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it.each([
    [1, 'a clean disconnect'],
    [1, 'SIGKILL of node A'],
    [2, 'a clean disconnect'],
    [2, 'SIGKILL of node A'],
  ] as const)(
    'QoS %i: are resent by node B with DUP=1 and the same packet id after %s [MQTT-4.4.0-1]',
    { timeout: 30_000 },
    async (qos, how) => {
      const suffix = `${qos}-${how === 'a clean disconnect' ? 'c' : 'k'}`
      const a = await startNode(redis.url, `node-a-${suffix}`)
      const b = await startNode(redis.url, `node-b-${suffix}`)
      const id = `device-${suffix}`
      const first = await RawClient.connect(a.mqttUrl, { clientId: id, clean: false })
      expect(await first.client.subscribe(`cmd/${id}`, qos)).toEqual([qos])
      const publisher = await client(a.mqttUrl, { clientId: `pub-${suffix}`, clean: true })
      await publisher.mqtt.publishAsync(`cmd/${id}`, 'one', { qos })
      await publisher.mqtt.publishAsync(`cmd/${id}`, 'two', { qos })
      const sent = [await first.client.next('publish'), await first.client.next('publish')]
      // withheld: no PUBACK / PUBREC
      if (how === 'a clean disconnect') await first.client.destroy()
      else await a.kill('SIGKILL')

      const resumed = await RawClient.connect(b.mqttUrl, { clientId: id, clean: false })
      expect(resumed.connack.sessionPresent).toBe(true)
      const again = [await resumed.client.next('publish'), await resumed.client.next('publish')]

      expect(again.map((p) => [p.payload.toString(), p.messageId, p.dup, p.qos])).toEqual(
        sent.map((p) => [p.payload.toString(), p.messageId, true, qos]),
      )
    },
  )
})
