import { performance } from 'node:perf_hooks'
import type { StoredPacket } from '../../broker/store/types.ts'
import { type Depth, floorPacket } from './depths.ts'

/** A publisher's window: the live sequence commits per this many messages. */
const WINDOW = 100

/** What one run measured, per message: wall-clock time and the main thread's busy time (µs). */
export interface Timing {
  wall: number
  main: number
}

const packetId = (k: number) => (k % 65535) + 1

/** The messages of a run, built before the clock starts: a broker has its packets already. */
function messagesOf(count: number) {
  return {
    queued: Array.from({ length: count }, (_, k) => floorPacket(k)),
    numbered: Array.from({ length: count }, (_, k) => floorPacket(k, packetId(k))),
  }
}

async function timed(count: number, body: () => Promise<void>): Promise<Timing> {
  const busy = performance.eventLoopUtilization()
  const start = process.hrtime.bigint()
  await body()
  const wall = Number(process.hrtime.bigint() - start) / 1e3 / count
  return { wall, main: (performance.eventLoopUtilization(busy).active * 1e3) / count }
}

/**
 * A resume: `count` messages queued (untimed), then read a page at a time, each page's packet ids
 * committed with the previous page's acknowledgements. Throws unless every message was read.
 */
export async function drain(depth: Depth, count: number): Promise<Timing> {
  const { queued } = messagesOf(count)
  for (let i = 0; i < count; i += 1000) {
    await depth.commit(() => {
      for (let k = i; k < Math.min(i + 1000, count); k++) depth.queue(queued[k])
    })
  }
  return timed(count, async () => {
    let sent = 0
    let previous: StoredPacket[] = []
    for await (const page of depth.pages()) {
      const numbered = page.map((packet) => ({ ...packet, messageId: packetId(sent++) }))
      await depth.commit(() => {
        for (const packet of previous) depth.acknowledge(packet)
        for (const packet of numbered) depth.number(packet)
      })
      previous = numbered
    }
    await depth.commit(() => {
      for (const packet of previous) depth.acknowledge(packet)
    })
    if (sent !== count) throw new Error(`read ${sent} of ${count} queued messages`)
  })
}

/**
 * Live delivery: per window, the messages queued in one commit (with the previous window's
 * acknowledgements), then given their packet ids in another.
 */
export async function live(depth: Depth, count: number): Promise<Timing> {
  const { queued, numbered } = messagesOf(count)
  return timed(count, async () => {
    let previous = { from: 0, to: 0 }
    for (let from = 0; from < count; from += WINDOW) {
      const to = Math.min(from + WINDOW, count)
      await depth.commit(() => {
        for (let k = previous.from; k < previous.to; k++) depth.acknowledge(numbered[k])
        for (let k = from; k < to; k++) depth.queue(queued[k])
      })
      await depth.commit(() => {
        for (let k = from; k < to; k++) depth.number(numbered[k])
      })
      previous = { from, to }
    }
    await depth.commit(() => {
      for (let k = previous.from; k < previous.to; k++) depth.acknowledge(numbered[k])
    })
  })
}
