import { shareOf } from '../shards.ts'
import type { Targets } from '../types.ts'
import { withDeadline } from './measure.ts'
import type { PacketSocket } from './packet-socket.ts'
import { publishEncoder } from './publisher.ts'
import { openSession, subscribe } from './session.ts'
import type { ShardLink, ShardRun } from './shard.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface FanoutParams {
  subscribers: number
  messages: number
  timeoutMs: number
}

const TOPIC = 'bench/fanout'
/**
 * QoS 0 has no acknowledgement to pace a publisher by. It keeps at most this many messages ahead of
 * the slowest subscriber in any shard, so what is measured is delivery, not how much a broker can
 * buffer (or drop) for clients that lag.
 */
export const FANOUT_AHEAD = 1_000
/** A shard reports its slowest subscriber every this many messages. */
const REPORT_EVERY = 100

/**
 * QoS 0 fan-out: one publisher, `subscribers` clean-session subscribers on one topic. A shard
 * takes every `shards`-th subscriber; shard 0 also runs the publisher. Counts deliveries (messages
 * × subscribers) until every subscriber has every message.
 */
export async function setUpFanout(
  targets: Targets,
  params: FanoutParams,
  shard: number,
  shards: number,
  link: ShardLink,
): Promise<ShardRun> {
  const { messages, timeoutMs } = params
  const mine = shareOf(params.subscribers, shard, shards)
  const sockets: PacketSocket[] = []
  try {
    const subscribers: CountingSubscriber[] = []
    let reported = 0
    const onDelivery = (seq: number): void => {
      // Subscribers see one TCP stream each, in order: checking every REPORT_EVERY-th is enough.
      if ((seq + 1) % REPORT_EVERY !== 0 && seq + 1 !== messages) return
      const slowest = Math.min(...subscribers.map((s) => s.distinct))
      if (slowest >= reported + REPORT_EVERY || slowest === messages) {
        reported = slowest
        link.reportProgress(slowest)
      }
    }
    for (const i of mine) {
      const socket = await openSession(targets.subscribe, `bench-fanout-sub-${i}`, true)
      sockets.push(socket)
      await subscribe(socket, TOPIC, 0)
      subscribers.push(new CountingSubscriber(socket, messages, false, onDelivery))
    }
    const publisher =
      shard === 0 ? await openSession(targets.publish, 'bench-fanout-pub', true) : undefined
    if (publisher !== undefined) sockets.push(publisher)
    let sent = 0
    const encode = publishEncoder(TOPIC, 0)
    const publishUpTo = (limit: number): void => {
      if (publisher === undefined) return
      while (sent < Math.min(limit, messages)) publisher.queue(encode(0, sent++))
      publisher.flush()
    }
    link.onProgress((slowest) => publishUpTo(slowest + FANOUT_AHEAD))
    const describe = (): string => {
      const got = subscribers.reduce((sum, s) => sum + s.distinct, 0)
      const slowest = Math.min(...subscribers.map((s) => s.distinct))
      return `${got}/${mine.length * messages} delivered in this shard (slowest ${slowest}), ${sent} published`
    }
    return {
      go: async () => {
        publishUpTo(FANOUT_AHEAD)
        const delivered = Promise.all(subscribers.map((s) => s.done))
        await withDeadline(
          publisher === undefined ? delivered : Promise.race([delivered, publisher.failed]),
          timeoutMs,
          describe,
        )
        const duplicates = subscribers.reduce((sum, s) => sum + s.duplicates, 0)
        return { messages: mine.length * messages, duplicates }
      },
      close: async () => {
        await Promise.all(sockets.map((s) => s.end()))
      },
    }
  } catch (err) {
    for (const socket of sockets) socket.destroy()
    throw err
  }
}
