import { afterEach, describe, expect, it } from 'vitest'
import { PolicyCounters } from '../../broker/policies/counters.ts'
import { DropReporter } from '../../broker/policies/drops.ts'
import { QueueCaps, type QueueLimits } from '../../broker/policies/queue-caps.ts'
import type { RedisSessionStore } from '../../broker/store/redis/index.ts'
import { describeQueue, drain, publish, testBroker } from './contract-helpers.ts'
import { openTestStore, redisForFile, withRedis } from './redis-helpers.ts'

// The redis store answers queuedTotals with a promise: the caps wait for it,
// and report the drops once the store has made them.
describe.runIf(withRedis)('the queue caps on the redis store', () => {
  const redis = redisForFile()
  let store: RedisSessionStore
  afterEach(() => store.destroy())

  function caps(limits: QueueLimits) {
    const counters = new PolicyCounters()
    const events: { clientId: string; type: string }[] = []
    const sink = {
      record: (clientId: string, event: { type: string }) =>
        events.push({ clientId, type: event.type }),
    }
    const reporter = new DropReporter({ counters, sink, now: () => 0 })
    const queueCaps = new QueueCaps({ limits, store, reporter, counters, connected: () => false })
    return { queueCaps, counters, events }
  }

  it('drops the oldest queued message of a full offline queue and reports it', async () => {
    store = await openTestStore(redis.url())
    await store.setup(testBroker())
    const { queueCaps, counters, events } = caps({
      maxMessages: 2,
      maxBytes: 0,
      dropPolicy: 'oldest',
    })

    for (let counter = 1; counter <= 4; counter++) {
      await queueCaps.enqueue([{ clientId: 'device' }], publish(counter))
    }

    expect(describeQueue(await drain(store.outgoingStream({ id: 'device' })))).toEqual([
      'publish:3',
      'publish:4',
    ])
    expect(await store.queuedTotals('device')).toEqual({ count: 2, bytes: 18 })
    expect(counters.dropped).toBe(2)
    expect(events.filter((event) => event.type === 'dropped')).toHaveLength(2)
  })

  it('refuses the newest message of a full queue under the newest policy', async () => {
    store = await openTestStore(redis.url())
    await store.setup(testBroker())
    const { queueCaps, counters } = caps({ maxMessages: 1, maxBytes: 0, dropPolicy: 'newest' })

    await queueCaps.enqueue([{ clientId: 'full' }, { clientId: 'empty' }], publish(1))
    await queueCaps.enqueue([{ clientId: 'full' }], publish(2))

    expect(describeQueue(await drain(store.outgoingStream({ id: 'full' })))).toEqual(['publish:1'])
    expect(await store.queuedTotals('empty')).toEqual({ count: 1, bytes: 9 })
    expect(counters.droppedBy['queue-full']).toBe(1)
  })
})
