import { shareOf } from '../shards.ts'
import type { Targets } from '../types.ts'
import { withDeadline } from './measure.ts'
import type { PacketSocket } from './packet-socket.ts'
import { type PublishProgress, publishWindowed } from './publisher.ts'
import { openSession, subscribe } from './session.ts'
import type { ShardRun } from './shard.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface LiveParams {
  qos: 1 | 2
  pairs: number
  messagesPerPublisher: number
  window: number
  timeoutMs: number
}

/**
 * Live QoS 1 or QoS 2 throughput: `pairs` persistent subscribers, each on its own topic, and as
 * many publishers, each publishing to one subscriber's topic with a window of in-flight publishes
 * (QoS 2: PUBLISH → PUBREC → PUBREL → PUBCOMP on both sides). A shard takes every `shards`-th pair,
 * publisher and subscriber both, so no message crosses processes. Done once each of its
 * subscribers has every message and each of its publishers every acknowledgement.
 */
export async function setUpLive(
  targets: Targets,
  params: LiveParams,
  shard: number,
  shards: number,
): Promise<ShardRun> {
  const { qos, pairs, messagesPerPublisher: perPublisher, window, timeoutMs } = params
  const topic = (i: number): string => `bench/live/${i}`
  const mine = shareOf(pairs, shard, shards)
  const sockets: PacketSocket[] = []
  try {
    const subscribers: CountingSubscriber[] = []
    for (const i of mine) {
      const socket = await openSession(targets.subscribe, `bench-live-sub-${i}`, false)
      sockets.push(socket)
      await subscribe(socket, topic(i), qos)
      subscribers.push(new CountingSubscriber(socket, perPublisher, false))
    }
    const publishers: PacketSocket[] = []
    for (const i of mine) {
      const socket = await openSession(targets.publish, `bench-live-pub-${i}`, true)
      sockets.push(socket)
      publishers.push(socket)
    }
    const progress: PublishProgress[] = publishers.map(() => ({ acked: 0 }))
    const describe = (): string => {
      const got = subscribers.reduce((sum, s) => sum + s.distinct, 0)
      const acked = progress.reduce((sum, p) => sum + p.acked, 0)
      return `${got}/${mine.length * perPublisher} delivered, ${acked} acknowledged`
    }
    return {
      go: async () => {
        const published = publishers.map((socket, k) =>
          publishWindowed(socket, topic(mine[k] ?? 0), perPublisher, window, progress[k], qos),
        )
        const delivered = Promise.all(subscribers.map((s) => s.done))
        await withDeadline(Promise.all([delivered, ...published]), timeoutMs, describe)
        const duplicates = subscribers.reduce((sum, s) => sum + s.duplicates, 0)
        return { messages: mine.length * perPublisher, duplicates }
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
