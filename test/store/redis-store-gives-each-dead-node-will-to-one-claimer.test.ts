import { afterEach, describe, expect, it } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import type { WillPacket } from '../../broker/store/types.ts'
import { freshPrefix, openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

function will(clientId: string): WillPacket {
  return { topic: `bye/${clientId}`, payload: Buffer.from(clientId), qos: 1, retain: false }
}

describe.runIf(withRedis)('the redis store', () => {
  const redis = redisForFile()
  const stores: RedisSessionStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.destroy()))
  })

  async function node(id: string, keyPrefix: string): Promise<RedisSessionStore> {
    const store = await openTestStore(redis.url(), { keyPrefix })
    await store.setup({ id })
    stores.push(store)
    return store
  }

  it('gives each Will of a dead node to exactly one of two racing survivors', async () => {
    const keyPrefix = freshPrefix()
    const dead = await node('node-dead', keyPrefix)
    const alive = await node('node-alive', keyPrefix)
    const ids = Array.from({ length: 200 }, (_, i) => `client-${i}`)
    await Promise.all(ids.map((id) => dead.putWill({ id }, will(id))))
    await alive.putWill({ id: 'mine' }, will('mine'))
    const survivorA = await node('node-a', keyPrefix)
    const survivorB = await node('node-b', keyPrefix)

    const claims = await Promise.all([
      survivorA.claimWills('node-dead'),
      survivorB.claimWills('node-dead'),
      survivorA.claimWills('node-dead'),
      survivorB.claimWills('node-dead'),
    ])

    const claimed = claims.flat().map((w) => w.clientId)
    expect(claimed.sort()).toEqual([...ids].sort())
    expect(claims.flat()[0]).toMatchObject({ brokerId: 'node-dead', topic: expect.any(String) })
    expect(await survivorA.getWill({ id: 'client-0' })).toBeUndefined()
    expect((await survivorA.getWill({ id: 'mine' }))?.brokerId).toBe('node-alive')
    expect(await survivorB.claimWills('node-dead')).toEqual([])
  })

  it('streams the Wills of brokers not named, and no longer those claimed', async () => {
    const keyPrefix = freshPrefix()
    const dead = await node('node-dead', keyPrefix)
    const alive = await node('node-alive', keyPrefix)
    await dead.putWill({ id: 'x' }, will('x'))
    await alive.putWill({ id: 'y' }, will('y'))

    const orphans: WillPacket[] = []
    for await (const w of alive.streamWill({ 'node-alive': Date.now() })) orphans.push(w)
    expect(orphans.map((w) => w.clientId)).toEqual(['x'])

    await alive.claimWills('node-dead')
    const left: WillPacket[] = []
    for await (const w of alive.streamWill({ 'node-alive': Date.now() })) left.push(w)
    expect(left).toEqual([])
  })
})
