import type { ShardResult } from '../shards.ts'

/** What a workload gives the generator process for one shard, once its connections are up. */
export interface ShardRun {
  /** Runs this shard's part of the load; resolves once it is done, rejects on a deadline. */
  go(): Promise<ShardResult>
  /** Ends every connection. */
  close(): Promise<void>
}

/** How a shard talks to the others, through the driver. */
export interface ShardLink {
  /** Reports the count of this shard's slowest subscriber. */
  reportProgress(slowest: number): void
  /** Hears the slowest subscriber's count over all shards. */
  onProgress(listener: (slowest: number) => void): void
}
