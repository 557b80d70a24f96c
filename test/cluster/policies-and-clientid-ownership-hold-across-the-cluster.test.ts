import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWD_7 } from '../auth/auth-helpers.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { api, client, offlineSession, publishMany, startNode, until } from './cluster.ts'

const alice = { username: 'alice', password: 'alice-secret' }
const bob = { username: 'bob', password: 'bob-secret' }

describe.skipIf(!redisAvailable())('on a cluster', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('a queue cap drops the oldest messages queued through another node, and every node counts them', {
    timeout: 30_000,
  }, async () => {
    const caps = ['--queue-max-messages', '3', '--queue-drop-policy', 'oldest']
    const a = await startNode(redis.url, 'node-a', caps)
    const b = await startNode(redis.url, 'node-b', caps)
    await offlineSession(a.mqttUrl, 'capped', 'fleet/capped/cmd')
    await publishMany(b.mqttUrl, 'fleet/capped/cmd', 5)

    expect((await api(a, '/api/sessions/capped')).body).toMatchObject({
      dropped: 2,
      queue: { count: 3 },
    })
    const resumed = await client(b.mqttUrl, { clientId: 'capped', clean: false })
    expect((await resumed.receive(3)).map((m) => m.payload)).toEqual(['2', '3', '4'])
  })

  it('an abandoned persistent session expires, whichever node held it', {
    timeout: 30_000,
  }, async () => {
    const expiry = ['--session-expiry', '1']
    const a = await startNode(redis.url, 'node-c', expiry)
    const b = await startNode(redis.url, 'node-d', expiry)
    await offlineSession(a.mqttUrl, 'abandoned', 'fleet/abandoned/cmd')
    await publishMany(a.mqttUrl, 'fleet/abandoned/cmd', 2)
    // and one that stays connected to the other node never expires
    await client(b.mqttUrl, { clientId: 'loyal', clean: false })

    // expiry runs on a 1 s check: a time rule, read back through the API
    await until(async () => (await api(b, '/api/sessions/abandoned')).status === 404, 10_000)

    const back = await client(b.mqttUrl, { clientId: 'abandoned', clean: false })
    expect(back.sessionPresent).toBe(false)
    expect((await api(a, '/api/sessions/loyal')).body).toMatchObject({
      connected: true,
      node: 'node-d',
    })
  })

  it('refuses another user the ClientID of a session connected to another node, with 0x05', {
    timeout: 30_000,
  }, async () => {
    const auth = ['--password-file', PASSWD_7]
    const a = await startNode(redis.url, 'node-e', auth)
    const b = await startNode(redis.url, 'node-f', auth)
    const owner = await client(a.mqttUrl, { clientId: 'dev-clean', clean: true, ...alice })
    await owner.mqtt.subscribeAsync('dev/cmd', { qos: 1 })
    await offlineSession(a.mqttUrl, 'dev-persistent', 'dev/cmd', alice)

    // connected on another node (a clean session: no record in the store to go by)
    await expect(client(b.mqttUrl, { clientId: 'dev-clean', clean: true, ...bob })).rejects.toThrow(
      /Not authorized|0x05|5/i,
    )
    expect(owner.mqtt.connected).toBe(true)
    // persistent and offline: the store's record says whose it is
    await expect(
      client(b.mqttUrl, { clientId: 'dev-persistent', clean: false, ...bob }),
    ).rejects.toThrow(/Not authorized|0x05|5/i)
    const back = await client(b.mqttUrl, { clientId: 'dev-persistent', clean: false, ...alice })
    expect(back.sessionPresent).toBe(true)
  })
})
