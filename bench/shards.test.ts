import { describe, expect, it } from 'vitest'
import { isFromShard, shardsFor, shareOf } from './shards.ts'
import type { ShardJob } from './types.ts'

const base = {
  targets: { publish: { host: 'h', port: 1 }, subscribe: { host: 'h', port: 2 } },
  brokerPids: [],
  window: 100,
  timeoutMs: 1000,
}

describe('shareOf', () => {
  it('deals items round robin, so every item goes to exactly one shard', () => {
    expect(shareOf(5, 0, 2)).toEqual([0, 2, 4])
    expect(shareOf(5, 1, 2)).toEqual([1, 3])
    expect(shareOf(1, 1, 2)).toEqual([])
  })
})

describe('shardsFor', () => {
  it('starts no more generator processes than there are pairs, subscribers or sessions', () => {
    const live: ShardJob = { ...base, workload: 'live', qos: 2, pairs: 1, messagesPerPublisher: 10 }
    expect(shardsFor(live, 4)).toBe(1)
    const fanout: ShardJob = { ...base, workload: 'fanout', subscribers: 100, messages: 10 }
    expect(shardsFor(fanout, 3)).toBe(3)
  })
})

describe('isFromShard', () => {
  it('accepts the protocol messages and refuses anything else', () => {
    expect(isFromShard({ type: 'ready' })).toBe(true)
    expect(isFromShard({ type: 'progress', slowest: 3 })).toBe(true)
    expect(isFromShard({ type: 'done', result: { messages: 1, duplicates: 0 }, cpuMs: 5 })).toBe(
      true,
    )
    expect(isFromShard({ type: 'progress' })).toBe(false)
    expect(isFromShard({ ok: true })).toBe(false)
    expect(isFromShard(null)).toBe(false)
  })
})
