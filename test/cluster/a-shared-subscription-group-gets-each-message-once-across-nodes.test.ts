import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { client, startNode, type TestClient } from './cluster.ts'

// Shared subscriptions in a cluster (docs/session-rules.md#shared-subscriptions):
// every node sees every message; the node it is published on chooses the
// group's member, and only the node holding that member delivers it.

const N = 20

describe.skipIf(!redisAvailable())('a shared subscription group with members on two nodes', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('gets each message exactly once across the group, whichever node it is published on', {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    const members: TestClient[] = []
    for (const [url, clientId] of [
      [a.mqttUrl, 'm1'],
      [a.mqttUrl, 'm2'],
      [b.mqttUrl, 'm3'],
    ] as const) {
      const member = await client(url, { clientId, clean: true })
      await member.mqtt.subscribeAsync('$share/g/work/#', { qos: 1 })
      members.push(member)
    }
    // each node has heard of the other's members once a message from it arrived
    const watchA = await client(a.mqttUrl, { clientId: 'watch-a', clean: true })
    const watchB = await client(b.mqttUrl, { clientId: 'watch-b', clean: true })
    await watchA.mqtt.subscribeAsync('work/#', { qos: 1 })
    await watchB.mqtt.subscribeAsync('work/#', { qos: 1 })
    const pubA = await client(a.mqttUrl, { clientId: 'pub-a', clean: true })
    const pubB = await client(b.mqttUrl, { clientId: 'pub-b', clean: true })
    await pubA.mqtt.publishAsync('sync', 'a', { qos: 1 })
    await pubB.mqtt.publishAsync('sync', 'b', { qos: 1 })

    for (let i = 0; i < N; i++) {
      await pubA.mqtt.publishAsync('work/a', `a${i}`, { qos: 1 })
      await pubB.mqtt.publishAsync('work/b', `b${i}`, { qos: 1 })
    }
    // the watchers (ordinary subscriptions) get every message on both nodes
    await watchA.receive(2 * N)
    await watchB.receive(2 * N)
    const total = () => members.reduce((n, m) => n + m.received.length, 0)
    await new Promise<void>((resolve) => {
      const check = () => total() >= 2 * N && resolve()
      for (const m of members) m.mqtt.on('message', check)
      check()
    })
    // a last message through both nodes: a duplicate of any earlier one would be in by now
    await pubA.mqtt.publishAsync('work/end', 'end-a', { qos: 1 })
    await pubB.mqtt.publishAsync('work/end', 'end-b', { qos: 1 })
    await watchA.receive(2 * N + 2)
    await new Promise<void>((resolve) => {
      const check = () => total() >= 2 * N + 2 && resolve()
      for (const m of members) m.mqtt.on('message', check)
      check()
    })

    const got = members.flatMap((m) => m.received.map((r) => r.payload))
    const expected = [
      ...Array.from({ length: N }, (_, i) => `a${i}`),
      ...Array.from({ length: N }, (_, i) => `b${i}`),
      'end-a',
      'end-b',
    ]
    expect(got.sort()).toEqual(expected.sort())
    // members on both nodes took a share, from publishers on both nodes
    for (const m of members) expect(m.received.length).toBeGreaterThan(0)
    expect(members[2].received.some((r) => r.payload.startsWith('a'))).toBe(true)
    expect(members[0].received.some((r) => r.payload.startsWith('b'))).toBe(true)
  })
})
