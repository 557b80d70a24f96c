/**
 * The IPC protocol between the driver and the load-generator processes that share one
 * {@link ShardJob}. Each shard sets up its connections and says `ready`; once all are, the driver
 * says `go` to all at once and times until the last `done`. Shards that receive report their
 * slowest subscriber's progress; the driver passes the minimum over all shards on as `progress`,
 * which is what a QoS 0 publisher paces itself by.
 */
import type { ShardJob } from './types.ts'

export type ToShard =
  | { type: 'setup'; job: ShardJob; shard: number; shards: number }
  | { type: 'go' }
  /** The least any subscriber in any shard has received so far. */
  | { type: 'progress'; slowest: number }
  | { type: 'close' }

/** What one shard delivered (or created) inside the timed interval. */
export interface ShardResult {
  messages: number
  duplicates: number
}

export type FromShard =
  | { type: 'ready' }
  | { type: 'progress'; slowest: number }
  /** `cpuMs`: the shard's own CPU from `go` to `done`. */
  | { type: 'done'; result: ShardResult; cpuMs: number }
  | { type: 'error'; error: string }
  | { type: 'closed' }

/** The IPC channel is an edge: check the shape before trusting it. */
export function isFromShard(value: unknown): value is FromShard {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false
  switch (value.type) {
    case 'ready':
    case 'closed':
      return true
    case 'progress':
      return 'slowest' in value && typeof value.slowest === 'number'
    case 'done':
      return 'result' in value && 'cpuMs' in value && typeof value.cpuMs === 'number'
    case 'error':
      return 'error' in value && typeof value.error === 'string'
    default:
      return false
  }
}

/** Which of `count` items (pairs, subscribers, sessions) shard `shard` of `shards` takes. */
export function shareOf(count: number, shard: number, shards: number): number[] {
  const mine: number[] = []
  for (let i = shard; i < count; i += shards) mine.push(i)
  return mine
}

/** Shards that would get nothing are not started. */
export function shardsFor(job: ShardJob, generators: number): number {
  const items =
    job.workload === 'live' ? job.pairs : job.workload === 'fanout' ? job.subscribers : job.count
  return Math.max(1, Math.min(generators, items))
}
