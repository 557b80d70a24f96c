import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'
import { freePort } from '../helpers/free-port.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { startNode } from './cluster.ts'

const PORTS = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']

describe.skipIf(!redisAvailable())('a cluster node', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it('stops start-up with exit 2 and REDIS_UNREACHABLE naming the URL, without its password', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`
    const result = await runCli([
      '--store',
      'redis',
      '--redis-url',
      url,
      '--data-dir',
      tempDir(),
      ...PORTS,
    ])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain('[REDIS_UNREACHABLE]')
    expect(result.stderr).toContain(url.replace('hunter2', '***'))
    expect(result.stderr).not.toContain('hunter2')
  })

  it('refuses the broker id of a live node with BROKER_ID_IN_USE, and that node keeps running', async () => {
    const live = await startNode(redis.url, 'node-a')

    const result = await runCli([
      '--store',
      'redis',
      '--redis-url',
      redis.url,
      '--broker-id',
      'node-a',
      '--data-dir',
      tempDir(),
      ...PORTS,
    ])

    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/broker id "node-a" belongs to a live node.*\[BROKER_ID_IN_USE\]/)
    expect(live.stdout()).not.toContain('shutting down')
  })
})
