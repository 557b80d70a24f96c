import { describe, expect, it } from 'vitest'
import type { Compaction } from '../../broker/heap/compact-heap.ts'
import { compactHeap } from '../../broker/heap/compact-heap.ts'
import {
  GROWTH_BYTES,
  type HeapProbe,
  IdleCompaction,
  QUIET_SAMPLES,
  QUIET_UTILIZATION,
} from '../../broker/heap/idle-compaction.ts'

const MiB = 2 ** 20

/** A process whose busyness and heap size the test sets, sample by sample. */
function scriptedProcess(heapBytes: number) {
  const state = { utilization: 0, heap: heapBytes }
  const compactions: number[] = []
  const probe: HeapProbe = { utilization: () => state.utilization, heapTotal: () => state.heap }
  const compact = (): Compaction => {
    compactions.push(state.heap)
    const beforeBytes = state.heap
    state.heap = heapBytes
    return { beforeBytes, afterBytes: state.heap, pauseMs: 1 }
  }
  return { state, compactions, probe, compact }
}

function samples(compaction: IdleCompaction, n: number): (Compaction | null)[] {
  return Array.from({ length: n }, () => compaction.sample())
}

describe('the heap is compacted once the broker is idle after a burst', () => {
  it('compacts after a burst grew the heap, on the third quiet second, and then not again', () => {
    const run = scriptedProcess(100 * MiB)
    const compaction = new IdleCompaction({ probe: run.probe, compact: run.compact })
    run.state.utilization = 1
    run.state.heap = 100 * MiB + GROWTH_BYTES
    expect(samples(compaction, 5)).toEqual([null, null, null, null, null])
    run.state.utilization = 0
    const quiet = samples(compaction, QUIET_SAMPLES + 5)
    expect(quiet.slice(0, QUIET_SAMPLES - 1)).toEqual([null, null])
    expect(quiet[QUIET_SAMPLES - 1]).toMatchObject({ afterBytes: 100 * MiB })
    expect(run.compactions).toEqual([100 * MiB + GROWTH_BYTES])
  })

  it('never compacts while the event loop is busy', () => {
    const run = scriptedProcess(100 * MiB)
    const compaction = new IdleCompaction({ probe: run.probe, compact: run.compact })
    run.state.heap = 500 * MiB
    for (let i = 0; i < 20; i++) {
      // two quiet seconds, then a busy one: never three in a row
      run.state.utilization = i % 3 === 2 ? QUIET_UTILIZATION : 0
      compaction.sample()
    }
    expect(run.compactions).toEqual([])
  })

  it('leaves a heap alone that grew by less than the threshold', () => {
    const run = scriptedProcess(100 * MiB)
    const compaction = new IdleCompaction({ probe: run.probe, compact: run.compact })
    run.state.heap = 100 * MiB + GROWTH_BYTES - 1
    samples(compaction, 10)
    expect(run.compactions).toEqual([])
  })

  it('measures the next burst from the heap the compaction left', () => {
    const run = scriptedProcess(100 * MiB)
    const compaction = new IdleCompaction({ probe: run.probe, compact: run.compact })
    run.state.heap = 300 * MiB
    samples(compaction, QUIET_SAMPLES)
    run.state.heap = 100 * MiB + GROWTH_BYTES / 2
    samples(compaction, QUIET_SAMPLES)
    run.state.heap = 100 * MiB + GROWTH_BYTES
    samples(compaction, QUIET_SAMPLES)
    expect(run.compactions).toEqual([300 * MiB, 100 * MiB + GROWTH_BYTES])
  })

  it('gives back the pages that a burst left sparsely used', () => {
    // A burst: many short-lived objects, one in twenty kept, as connections
    // leave their session state behind.
    const kept: object[] = []
    for (let round = 0; round < 20; round++) {
      const burst: object[] = []
      for (let i = 0; i < 200_000; i++) burst.push({ i, name: `client-${i}`, subs: [i] })
      for (let i = 0; i < burst.length; i += 20) kept.push(burst[i])
    }
    const { beforeBytes, afterBytes, pauseMs } = compactHeap()
    expect(kept).toHaveLength(200_000)
    expect(afterBytes).toBeLessThan(beforeBytes * 0.75)
    expect(pauseMs).toBeGreaterThan(0)
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
  })
})
