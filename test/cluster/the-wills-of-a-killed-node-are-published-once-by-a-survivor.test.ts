import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { api, client, redisOf, startNode, until } from './cluster.ts'

const CLAIMED = /node node-a: (\d+) Will\(s\) published/

describe.skipIf(!redisAvailable())('when a node is killed with SIGKILL', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it("one survivor publishes each of its clients' Wills, once, and shows them offline", {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    const c = await startNode(redis.url, 'node-c')
    const watcher = await client(b.mqttUrl, { clientId: 'watcher', clean: true })
    await watcher.mqtt.subscribeAsync('wills/#', { qos: 1 })
    for (const id of ['device-1', 'device-2']) {
      await client(a.mqttUrl, {
        clientId: id,
        clean: id === 'device-2',
        will: { topic: `wills/${id}`, payload: Buffer.from(`${id} gone`), qos: 1, retain: false },
      })
    }

    await a.kill('SIGKILL')
    const claimed = await Promise.race([b.printed(CLAIMED), c.printed(CLAIMED)])

    expect(Number(claimed[1])).toBe(2)
    const wills = await watcher.receive(2)
    expect(wills.map((m) => m.payload).sort()).toEqual(['device-1 gone', 'device-2 gone'])
    // Both survivors have swept since node A was found dead: the loser's claim came back empty.
    await bothSweptSince(redis.url, ['node-b', 'node-c'], Date.now())
    const publisher = await client(c.mqttUrl, { clientId: 'publisher', clean: true })
    await publisher.mqtt.publishAsync('wills/marker', 'marker', { qos: 1 })
    expect((await watcher.receive(3)).map((m) => m.payload)[2]).toBe('marker')
    expect(b.stdout().match(CLAIMED) && c.stdout().match(CLAIMED)).toBeFalsy()

    const { body } = await api(c, '/api/sessions/device-1')
    expect(body).toMatchObject({ connected: false, node: null })
    expect((await api(c, '/api/sessions/device-2')).status).toBe(404)
  })
})

/**
 * Resolves once each node has written a heartbeat more than one heartbeat
 * interval (a third of the 1 s node timeout) after `since`: the sweep that
 * follows each heartbeat has then run at least once after `since`.
 */
async function bothSweptSince(url: string, nodes: string[], since: number): Promise<void> {
  const redis = redisOf(url)
  await until(async () => {
    const beats = await Promise.all(nodes.map((node) => redis.zscore('sl:nodes', node)))
    return beats.every((at) => Number(at) > since + 400)
  }, 5_000)
}
