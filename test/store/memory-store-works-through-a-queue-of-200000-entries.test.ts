import { setImmediate as toTimers } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../broker/store/memory/index.ts'
import type { SessionStore } from '../../broker/store/types.ts'
import { publish, testBroker } from './contract-helpers.ts'

// Sizes at which a linear scan per entry (the memory store's arrays, before)
// takes minutes and runs into the test timeout, and indexed entries take about
// a second. Nothing here reads the clock. Results are gathered and compared
// once: an expect per entry would cost more than the store.
const QUEUED = 200_000
/** Packet ids wrap here, so entries in flight share them, as they do on a long resume. */
const PACKET_IDS = 65_535
/** Enqueues past the cap while half the queue is in flight. */
const DROPS = 50_000
const alice = { id: 'alice' }

function packetIdOf(sent: number): number {
  return (sent % PACKET_IDS) + 1
}

function enqueue(store: SessionStore, first: number, count: number): void {
  // Memory writes happen before the promise is returned; one await at the end is enough.
  for (let counter = first; counter < first + count; counter++) {
    void store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(counter))
  }
}

/**
 * Lets timers run every 10,000 entries: a memory store's promises settle
 * without ever leaving the microtask queue, so a slow store would otherwise
 * keep the test timeout from firing until it had ground through everything.
 */
async function letTimersRun(position: number): Promise<void> {
  if (position % 10_000 === 0) await toTimers()
}

/** The first position where `actual` is not `expected(position)`, or -1. */
function firstMismatch(actual: number[], expected: (position: number) => number): number {
  return actual.findIndex((value, position) => value !== expected(position))
}

function bytesOf(first: number, count: number): number {
  let bytes = 0
  for (let counter = first; counter < first + count; counter++) {
    bytes += publish(counter).payload.length
  }
  return bytes
}

describe('the memory store with a queue of 200,000 entries', () => {
  let store: SessionStore

  beforeEach(async () => {
    store = createMemoryStore()
    await store.setup(testBroker())
  })
  afterEach(() => store.destroy())

  it('streams them in order, numbers each and clears each by its packet id, oldest first', async () => {
    enqueue(store, 1, QUEUED)
    await store.flush()
    expect(store.queuedTotals('alice')).toEqual({ count: QUEUED, bytes: bytesOf(1, QUEUED) })

    const streamed: number[] = []
    for await (const entry of store.outgoingStream(alice)) {
      await store.outgoingUpdate(alice, { ...entry, messageId: packetIdOf(streamed.length) })
      streamed.push(entry.brokerCounter)
      await letTimersRun(streamed.length)
    }
    expect(streamed).toHaveLength(QUEUED)
    expect(firstMismatch(streamed, (position) => position + 1)).toBe(-1)
    expect(store.queuedTotals('alice')).toEqual({ count: 0, bytes: 0 })
    expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: QUEUED })

    // Acknowledged in the order sent: each packet id clears the oldest entry sent with it.
    const cleared: number[] = []
    for (let acked = 0; acked < QUEUED; acked++) {
      const entry = await store.outgoingClearMessageId(alice, { messageId: packetIdOf(acked) })
      cleared.push(entry?.brokerCounter ?? -1)
      await letTimersRun(acked)
    }
    expect(firstMismatch(cleared, (position) => position + 1)).toBe(-1)
    expect(store.hasOutgoing?.('alice')).toBe(false)
    expect(await store.queueTotals?.()).toEqual({ queued: 0, inflight: 0 })
  })

  it('drops the oldest never-sent entry per enqueue past the in-flight ones', async () => {
    const inFlight = QUEUED / 2
    enqueue(store, 1, QUEUED)
    for (let counter = 1; counter <= inFlight; counter++) {
      void store.outgoingUpdate(alice, { ...publish(counter), messageId: packetIdOf(counter) })
    }
    await store.flush()

    // As the drop-oldest cap does for an offline session: one in, the oldest queued out.
    const offered: number[] = []
    for (let added = 0; added < DROPS; added++) {
      const topics: string[] = []
      await store.dropOldestQueued('alice', (entry) => topics.push(entry.topic) === 1)
      enqueue(store, QUEUED + 1 + added, 1)
      offered.push(topics.length)
      await letTimersRun(added)
    }
    // Each walk offered the oldest never-sent entry (dropped) and the next (kept).
    expect(offered.filter((count) => count !== 2)).toEqual([])

    const queued = QUEUED - inFlight
    const firstKept = inFlight + DROPS + 1
    expect(store.queuedTotals('alice')).toEqual({
      count: queued,
      bytes: bytesOf(firstKept, queued),
    })
    expect(await store.queueTotals?.()).toEqual({ queued, inflight: inFlight })
    const streamed: number[] = []
    for await (const entry of store.outgoingStream(alice)) streamed.push(entry.brokerCounter)
    // The in-flight entries, then the never-sent ones the drops left, in queue order.
    expect(streamed).toHaveLength(QUEUED)
    expect(
      firstMismatch(streamed, (position) =>
        position < inFlight ? position + 1 : firstKept + (position - inFlight),
      ),
    ).toBe(-1)
  })
})
