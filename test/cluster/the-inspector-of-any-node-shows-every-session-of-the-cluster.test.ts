import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { api, client, offlineSession, startNode, until } from './cluster.ts'

interface Row {
  clientId: string
  connected: boolean
  node: string | null
  clean: boolean
}

describe.skipIf(!redisAvailable())('the session inspector of a cluster node', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('lists online and offline sessions of every node, with the node each is connected to', {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    const c = await startNode(redis.url, 'node-c')
    await client(a.mqttUrl, { clientId: 'p-online', clean: false })
    const clean = await client(b.mqttUrl, { clientId: 'c-online', clean: true })
    await clean.mqtt.subscribeAsync('alerts/#', { qos: 1 })
    await offlineSession(b.mqttUrl, 'p-offline', 'fleet/p-offline/cmd')

    // the other nodes' writes to the directory are not acknowledged to the client
    await until(async () => {
      const { body } = await api(c, '/api/sessions/c-online')
      return (body as { subscriptions?: unknown[] }).subscriptions?.length === 1
    }, 5_000)
    const { body } = await api(c, '/api/sessions?limit=10')
    const page = body as { sessions: Row[]; counts: unknown }

    expect(
      page.sessions.map(({ clientId, connected, node, clean }) => ({
        clientId,
        connected,
        node,
        clean,
      })),
    ).toEqual([
      { clientId: 'c-online', connected: true, node: 'node-b', clean: true },
      { clientId: 'p-offline', connected: false, node: null, clean: false },
      { clientId: 'p-online', connected: true, node: 'node-a', clean: false },
    ])
    expect(page.counts).toEqual({ online: 2, offline: 1, total: 3 })
    const online = await api(a, '/api/sessions?state=online&limit=10')
    expect((online.body as { sessions: Row[] }).sessions.map((s) => s.clientId)).toEqual([
      'c-online',
      'p-online',
    ])
    // sorted, the whole cluster's directory is read: offline first going down, then the online ones
    const sorted = await api(c, '/api/sessions?sort=state&order=desc&limit=10')
    expect((sorted.body as { sessions: Row[] }).sessions.map((s) => s.clientId)).toEqual([
      'p-offline',
      'p-online',
      'c-online',
    ])
    const offline = await api(a, '/api/sessions?state=offline&limit=10')
    expect((offline.body as { sessions: Row[] }).sessions.map((s) => s.clientId)).toEqual([
      'p-offline',
    ])
    const detail = await api(a, '/api/sessions/c-online')
    expect(detail.body).toMatchObject({
      connected: true,
      node: 'node-b',
      clean: true,
      subscriptions: [{ topic: 'alerts/#', qos: 1 }],
    })
    const stored = await api(c, '/api/sessions/p-offline')
    expect(stored.body).toMatchObject({
      connected: false,
      subscriptions: [{ topic: 'fleet/p-offline/cmd', qos: 1 }],
    })
  })

  it("disconnects a client connected to another node when the operator asks any node's API", {
    timeout: 30_000,
  }, async () => {
    const a = await startNode(redis.url, 'node-d')
    const b = await startNode(redis.url, 'node-e')
    const device = await client(a.mqttUrl, { clientId: 'device-9', clean: false })

    const answer = await api(b, '/api/sessions/device-9/disconnect', 'POST')
    await device.closed

    expect(answer).toEqual({
      status: 200,
      body: { clientId: 'device-9', disconnected: true },
    })
    const { body } = await api(b, '/api/sessions/device-9')
    expect(body).toMatchObject({ connected: false, node: null })
    const again = await api(b, '/api/sessions/device-9/disconnect', 'POST')
    expect(again.status).toBe(409)
  })
})
