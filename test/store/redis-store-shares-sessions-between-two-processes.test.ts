import mqemitter, { type MQEmitter } from 'mqemitter'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { describeQueue, drain, enqueueMany, markSent } from './contract-helpers.ts'
import { busBroker, freshPrefix, openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

// Two stores on one prefix stand for two brokers of a cluster; their
// brokers share a message bus as mqemitter-redis would make them.
describe.runIf(withRedis)('two redis stores on one prefix', () => {
  const redis = redisForFile()
  let mq: MQEmitter
  let nodeA: RedisSessionStore
  let nodeB: RedisSessionStore

  beforeEach(async () => {
    mq = mqemitter()
    const keyPrefix = freshPrefix()
    nodeA = await openTestStore(redis.url(), { keyPrefix })
    nodeB = await openTestStore(redis.url(), { keyPrefix })
    await nodeA.setup(busBroker('node-a', mq))
    await nodeB.setup(busBroker('node-b', mq))
  })
  afterEach(async () => {
    await nodeA.destroy()
    await nodeB.destroy()
  })

  it('clear a message by its messageId on one node after the other sent it', async () => {
    const alice = { id: 'alice' }
    await enqueueMany(nodeA, 'alice', 1, 3)
    await markSent(nodeA, 'alice', 2, 42)

    const cleared = await nodeB.outgoingClearMessageId(alice, { messageId: 42 })

    expect(cleared).toMatchObject({ brokerCounter: 2, messageId: 42 })
    expect(describeQueue(await drain(nodeA.outgoingStream(alice)))).toEqual([
      'publish:1',
      'publish:3',
    ])
    expect(await nodeA.queuedTotals('alice')).toMatchObject({ count: 2 })
  })

  it('match on one node the subscriptions made on the other, QoS 0 ones too', async () => {
    await nodeA.addSubscriptions({ id: 'alice' }, [
      { topic: 'sensors/#', qos: 1 },
      { topic: 'alerts', qos: 0 },
    ])

    await vi.waitFor(async () => {
      await nodeB.subscriptionsSettled()
      expect((await nodeB.subscriptionsByTopic('sensors/temp')).map((s) => s.clientId)).toEqual([
        'alice',
      ])
      expect(nodeB.qos0SubscriptionsByTopic('alerts').map((s) => s.clientId)).toEqual(['alice'])
    })

    await nodeA.removeSubscriptions({ id: 'alice' }, ['sensors/#'])
    await nodeA.discardSession('alice')

    await vi.waitFor(async () => {
      await nodeB.subscriptionsSettled()
      expect(await nodeB.subscriptionsByTopic('sensors/temp')).toEqual([])
      expect(nodeB.qos0SubscriptionsByTopic('alerts')).toEqual([])
    })
  })

  it('load the subscriptions already in Redis when a node starts', async () => {
    await nodeA.addSubscriptions({ id: 'bob' }, [{ topic: 'a/+', qos: 2 }])
    const nodeC = await openTestStore(redis.url(), { keyPrefix: nodeA.keyPrefix })
    await nodeC.setup(busBroker('node-c', mq))

    expect((await nodeC.subscriptionsByTopic('a/b')).map((s) => [s.clientId, s.qos])).toEqual([
      ['bob', 2],
    ])
    expect(await nodeC.countOffline()).toEqual({ subsCount: 1, clientsCount: 1 })
    await nodeC.destroy()
  })
})
