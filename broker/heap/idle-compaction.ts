import { performance } from 'node:perf_hooks'
import { type Compaction, compactHeap } from './compact-heap.ts'

/** How busy the process was since the last sample, and how big its heap is. */
export interface HeapProbe {
  /** Event-loop utilization (0-1) since the previous call. */
  utilization(): number
  /** Committed JS heap, bytes. */
  heapTotal(): number
}

export interface IdleCompactionOptions {
  /** Called after each compaction (the CLI logs it). */
  onCompacted?: (compaction: Compaction) => void
  probe?: HeapProbe
  compact?: () => Compaction
}

/** A sample each second; this many quiet ones in a row make the broker idle. */
export const SAMPLE_MS = 1000
export const QUIET_SAMPLES = 3
/** Event-loop utilization below which a second counts as quiet. */
export const QUIET_UTILIZATION = 0.05
/** Heap growth since the last compaction (or start) that is worth a pause to give back. */
export const GROWTH_BYTES = 64 * 1024 * 1024

function processProbe(): HeapProbe {
  let last = performance.eventLoopUtilization()
  return {
    utilization() {
      const now = performance.eventLoopUtilization()
      const since = performance.eventLoopUtilization(now, last)
      last = now
      return since.utilization
    },
    heapTotal: () => process.memoryUsage().heapTotal,
  }
}

/**
 * Gives the memory of a burst back once the broker is idle: when the
 * committed heap has grown by {@link GROWTH_BYTES} and the event loop has
 * been quiet for {@link QUIET_SAMPLES} seconds, one compacting GC
 * ({@link compactHeap}). Its pause lands when nothing is being delivered;
 * a busy loop never gets one. Process-wide, like the heap: started by the
 * CLI entry point (`--idle-compaction`), not per broker.
 */
export class IdleCompaction {
  readonly #probe: HeapProbe
  readonly #compact: () => Compaction
  readonly #onCompacted: (compaction: Compaction) => void
  #baseline: number
  #quiet = 0
  #timer: NodeJS.Timeout | null = null

  constructor(options: IdleCompactionOptions = {}) {
    this.#probe = options.probe ?? processProbe()
    this.#compact = options.compact ?? compactHeap
    this.#onCompacted = options.onCompacted ?? (() => {})
    this.#baseline = this.#probe.heapTotal()
  }

  start(): this {
    this.#timer ??= setInterval(() => this.sample(), SAMPLE_MS).unref()
    return this
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  /** One sample: compacts if this completes a quiet spell after enough growth. */
  sample(): Compaction | null {
    if (this.#probe.utilization() >= QUIET_UTILIZATION) {
      this.#quiet = 0
      return null
    }
    if (++this.#quiet < QUIET_SAMPLES) return null
    const heap = this.#probe.heapTotal()
    // a heap that shrank by itself lowers the bar for the next burst
    if (heap < this.#baseline) this.#baseline = heap
    if (heap - this.#baseline < GROWTH_BYTES) return null
    const compaction = this.#compact()
    this.#baseline = compaction.afterBytes
    this.#quiet = 0
    this.#onCompacted(compaction)
    return compaction
  }
}
