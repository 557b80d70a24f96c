import type { Measurement, Target } from '../types.ts'
import { startInterval, withDeadline } from './measure.ts'
import type { PacketSocket } from './packet-socket.ts'
import { type PublishProgress, publishWindowed } from './publisher.ts'
import { openSession, subscribeQos1 } from './session.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface LiveParams {
  brokerPid?: number
  pairs: number
  messagesPerPublisher: number
  window: number
  timeoutMs: number
}

/**
 * Live QoS 1 throughput: `pairs` persistent subscribers, each on its own topic, and as many
 * publishers, each publishing to one subscriber's topic with a window of in-flight QoS 1 publishes.
 * Timed from the first PUBLISH until every subscriber has every message; reported as delivered msg/s.
 */
export async function runLive(target: Target, params: LiveParams): Promise<Measurement[]> {
  const { brokerPid, pairs, messagesPerPublisher: perPublisher, window, timeoutMs } = params
  const topic = (i: number): string => `bench/live/${i}`
  const sockets: PacketSocket[] = []
  try {
    const subscriberSockets: PacketSocket[] = []
    for (let i = 0; i < pairs; i++) {
      const socket = await openSession(target, `bench-live-sub-${i}`, false)
      sockets.push(socket)
      subscriberSockets.push(socket)
      await subscribeQos1(socket, topic(i))
    }
    const publisherSockets: PacketSocket[] = []
    for (let i = 0; i < pairs; i++) {
      const socket = await openSession(target, `bench-live-pub-${i}`, true)
      sockets.push(socket)
      publisherSockets.push(socket)
    }
    const subscribers = subscriberSockets.map((s) => new CountingSubscriber(s, perPublisher, false))
    const progress: PublishProgress[] = publisherSockets.map(() => ({ acked: 0 }))

    const timer = startInterval(brokerPid)
    const published = publisherSockets.map((socket, i) =>
      publishWindowed(socket, topic(i), perPublisher, window, progress[i]),
    )
    const describe = (): string => {
      const got = subscribers.reduce((sum, s) => sum + s.distinct, 0)
      const acked = progress.reduce((sum, p) => sum + p.acked, 0)
      return `${got}/${pairs * perPublisher} delivered, ${acked} PUBACKs`
    }
    await withDeadline(Promise.all(subscribers.map((s) => s.done)), timeoutMs, describe)
    const duplicates = subscribers.reduce((sum, s) => sum + s.duplicates, 0)
    const measurement = timer.stop('live-qos1', pairs * perPublisher, duplicates)
    await withDeadline(Promise.all(published), timeoutMs, describe)
    await Promise.all(sockets.map((s) => s.end()))
    return [measurement]
  } catch (err) {
    for (const socket of sockets) socket.destroy()
    throw err
  }
}
