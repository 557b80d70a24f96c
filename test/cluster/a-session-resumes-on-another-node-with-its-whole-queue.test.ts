import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { client, offlineSession, publishMany, startNode } from './cluster.ts'

// aedes' Redis store delivers at most 1,000 queued messages per reconnect
// (maxSessionDelivery): queue more than that.
const QUEUED = 1_500

describe.skipIf(!redisAvailable())('a persistent session created on node A', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('resumes on node B after a clean disconnect with every queued message, in order', {
    timeout: 60_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    await offlineSession(a.mqttUrl, 'device-1', 'fleet/device-1/cmd')
    await publishMany(a.mqttUrl, 'fleet/device-1/cmd', QUEUED)

    const resumed = await client(b.mqttUrl, { clientId: 'device-1', clean: false })
    expect(resumed.sessionPresent).toBe(true)
    const messages = await resumed.receive(QUEUED)

    expect(messages.map((m) => Number(m.payload))).toEqual(
      Array.from({ length: QUEUED }, (_, i) => i),
    )
    expect(messages.every((m) => m.qos === 1 && m.topic === 'fleet/device-1/cmd')).toBe(true)
  })

  it('reports session-present on node B and keeps its subscription there', {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-c')
    const b = await startNode(redis.url, 'node-d')
    await offlineSession(a.mqttUrl, 'device-2', 'fleet/device-2/cmd')

    const resumed = await client(b.mqttUrl, { clientId: 'device-2', clean: false })
    expect(resumed.sessionPresent).toBe(true)
    await publishMany(a.mqttUrl, 'fleet/device-2/cmd', 1)

    expect(await resumed.receive(1)).toEqual([
      { topic: 'fleet/device-2/cmd', payload: '0', qos: 1, dup: false },
    ])
  })

  it('resumes on node B with every queued message after node A is killed with SIGKILL', {
    timeout: 60_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-e')
    const b = await startNode(redis.url, 'node-f')
    await offlineSession(a.mqttUrl, 'device-3', 'fleet/device-3/cmd')
    await publishMany(a.mqttUrl, 'fleet/device-3/cmd', 200)
    await a.kill('SIGKILL')

    const resumed = await client(b.mqttUrl, { clientId: 'device-3', clean: false })
    expect(resumed.sessionPresent).toBe(true)
    const messages = await resumed.receive(200)

    expect(messages.map((m) => Number(m.payload))).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })
})
