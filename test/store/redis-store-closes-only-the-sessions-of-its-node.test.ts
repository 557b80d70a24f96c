import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { freshPrefix, openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

const T0 = 1_700_000_000_000

describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  const stores: RedisSessionStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.destroy()))
  })

  it('closes at start-up only the sessions of its own node; a dead node’s on request', async () => {
    const keyPrefix = freshPrefix()
    const nodeA = await openTestStore(redis.url(), { keyPrefix })
    await nodeA.setup({ id: 'node-a' })
    const nodeB = await openTestStore(redis.url(), { keyPrefix })
    await nodeB.setup({ id: 'node-b' })
    stores.push(nodeA, nodeB)
    for (const id of ['on-a', 'on-b', 'on-b-too']) await nodeA.openSession(id)
    await nodeA.touchSession('on-a', { connectedAt: T0, node: 'node-a' })
    await nodeB.touchSession('on-b', { connectedAt: T0, node: 'node-b' })
    await nodeB.touchSession('on-b-too', { connectedAt: T0, node: 'node-b' })

    // node-a restarts after a crash: node-b's clients are still connected
    expect(await nodeA.closeOpenSessions(T0 + 1)).toBe(1)
    expect(await nodeA.getSession('on-a')).toMatchObject({ disconnectedAt: T0 + 1, node: 'node-a' })
    expect((await nodeA.getSession('on-b'))?.disconnectedAt).toBeNull()

    // node-b is found dead
    expect((await nodeA.closeOpenSessionsOf('node-b', T0 + 2)).sort()).toEqual(['on-b', 'on-b-too'])
    expect((await nodeA.getSession('on-b'))?.disconnectedAt).toBe(T0 + 2)
    expect(await nodeA.idleSessions(T0 + 10, 10)).toEqual([
      { clientId: 'on-a', disconnectedAt: T0 + 1 },
      { clientId: 'on-b', disconnectedAt: T0 + 2 },
      { clientId: 'on-b-too', disconnectedAt: T0 + 2 },
    ])

    // on-b reconnects to node-a: it moves there
    await nodeA.touchSession('on-b', { disconnectedAt: null, node: 'node-a' })
    expect(await nodeB.closeOpenSessionsOf('node-b', T0 + 3)).toEqual([])
    expect(await nodeB.closeOpenSessionsOf('node-a', T0 + 3)).toEqual(['on-b'])
  })
})
