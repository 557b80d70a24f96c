import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { client, offlineSession, startNode } from './cluster.ts'

describe.skipIf(!redisAvailable())('on a cluster', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it("/metrics of one node counts every node's sessions; $SYS keeps each node's own counters apart", {
    timeout: 30_000,
  }, async () => {
    const sys = ['--sys-interval', '1']
    const a = await startNode(redis.url, 'node-a', sys)
    const b = await startNode(redis.url, 'node-b', sys)
    await client(b.mqttUrl, { clientId: 'on-b', clean: false })
    await offlineSession(b.mqttUrl, 'away', 'fleet/away/cmd')
    const watcher = await client(a.mqttUrl, { clientId: 'watcher', clean: true })
    await watcher.mqtt.subscribeAsync(['$SYS/+/broker/uptime', '$SYS/broker/clients/+'])

    const metrics = await (await fetch(`${a.httpUrl}/metrics`)).text()
    expect(metrics).toMatch(/^sessionlab_sessions\{state="online"\} 2$/m)
    expect(metrics).toMatch(/^sessionlab_sessions\{state="offline"\} 1$/m)
    // each node's uptime under its own id; the session counts are the cluster's
    const seen = new Map<string, string>()
    const done = () =>
      seen.has('$SYS/node-a/broker/uptime') &&
      seen.has('$SYS/node-b/broker/uptime') &&
      seen.get('$SYS/broker/clients/connected') === '2' &&
      seen.get('$SYS/broker/clients/disconnected') === '1'
    for (let next = 1; !done(); next++) {
      const m = (await watcher.receive(next))[next - 1]
      seen.set(m.topic, m.payload)
    }
    expect(seen.has('$SYS/broker/uptime')).toBe(false)
  })
})
