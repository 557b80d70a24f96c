import type { Targets } from '../types.ts'
import { withDeadline } from './measure.ts'
import { createOfflineSessions } from './offline-sessions.ts'
import type { ShardRun } from './shard.ts'

export interface SessionsParams {
  count: number
  /** Sessions being set up at a time, over all shards. */
  parallel: number
  timeoutMs: number
}

/**
 * Persistent session creation: CONNECT clean=0, SUBSCRIBE at QoS 1, DISCONNECT, with `parallel`
 * sessions in flight. A shard creates every `shards`-th session, with its share of the
 * parallelism; nothing is connected before `go`, since connecting is what is measured.
 */
export function setUpSessions(
  targets: Targets,
  params: SessionsParams,
  shard: number,
  shards: number,
): ShardRun {
  const { count, timeoutMs } = params
  // 32 in flight over 3 shards: 11, 11, 10.
  const share = Math.floor(params.parallel / shards) + (shard < params.parallel % shards ? 1 : 0)
  const parallel = Math.max(1, share)
  const range = { first: shard, stride: shards, end: count }
  const done = { sessions: 0 }
  return {
    go: async () => {
      await withDeadline(
        createOfflineSessions(targets.publish, range, parallel, done),
        timeoutMs,
        () => `${done.sessions} sessions created in this shard`,
      )
      return { messages: done.sessions, duplicates: 0 }
    },
    close: async () => {},
  }
}
