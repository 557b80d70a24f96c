import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { client, startNode } from './cluster.ts'

// MQTT 5 Will Delay [MQTT-3.1.3-9] in a cluster: a node killed without a
// word loses its connections then; the survivor that claims its Wills
// publishes an MQTT 5 Will only once its delay has passed, counted from
// when the node was found dead. The nodes run on the real clock, so the
// delay is short and the test awaits the Will itself.

const CLAIMED = /node node-a: (\d+) Will\(s\) published/
const DELAY_S = 2

describe.skipIf(!redisAvailable())('when a node is killed with SIGKILL', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('a survivor publishes its MQTT 5 Will once, after the Will Delay', {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    const watcher = await client(b.mqttUrl, { clientId: 'watcher', clean: true })
    await watcher.mqtt.subscribeAsync('wills/#', { qos: 1 })
    await client(a.mqttUrl, {
      clientId: 'dev',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will: {
        topic: 'wills/dev',
        payload: Buffer.from('dev gone'),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: DELAY_S },
      },
    })

    await a.kill('SIGKILL')
    const claimed = await b.printed(CLAIMED)
    const claimedAt = Date.now()
    // claimed, not published: it waits out its delay
    expect(Number(claimed[1])).toBe(0)
    const [will] = await watcher.receive(1)
    expect(will).toMatchObject({ topic: 'wills/dev', payload: 'dev gone' })
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(DELAY_S * 1000 - 100)

    const publisher = await client(b.mqttUrl, { clientId: 'publisher', clean: true })
    await publisher.mqtt.publishAsync('wills/marker', 'marker', { qos: 1 })
    expect((await watcher.receive(2)).map((m) => m.payload)).toEqual(['dev gone', 'marker'])
  })
})
