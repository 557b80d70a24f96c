import type { Measurement, Targets } from '../types.ts'
import { startInterval, withDeadline } from './measure.ts'
import { PacketSocket } from './packet-socket.ts'
import { publishWindowed } from './publisher.ts'
import { connectPacket, openSession, subscribeQos1 } from './session.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface DrainParams {
  brokerPids: number[]
  count: number
  window: number
  timeoutMs: number
  /** Which pair of metrics: `drain-*` (20,000 by default) or `drain200k-*`. */
  metrics: 'drain' | 'drain200k'
}

const TOPIC = 'bench/drain'
const SUBSCRIBER = 'bench-drain-sub'

/**
 * Resume drain: a persistent session subscribes and goes offline, `count` QoS 1 messages are queued
 * for it, then it reconnects. Timed from CONNECT sent until every queued message has arrived (each
 * PUBACKed as it arrives). The enqueue phase is timed too, as `*-enqueue`. On a cluster the session
 * is created and fed on node 1 and resumes on node 2.
 */
export async function runDrain(targets: Targets, params: DrainParams): Promise<Measurement[]> {
  const { brokerPids, count, window, timeoutMs, metrics } = params

  const offline = await openSession(targets.publish, SUBSCRIBER, false)
  await subscribeQos1(offline, TOPIC)
  await offline.end()

  const publisher = await openSession(targets.publish, 'bench-drain-pub', true)
  const published = { acked: 0 }
  const enqueueTimer = startInterval(brokerPids)
  await withDeadline(
    publishWindowed(publisher, TOPIC, count, window, published),
    timeoutMs,
    () => `enqueue: ${published.acked}/${count} PUBACKs`,
  )
  const enqueue = enqueueTimer.stop(`${metrics}-enqueue`, count)
  await publisher.end()

  const socket = await PacketSocket.connect(targets.subscribe, SUBSCRIBER)
  const subscriber = new CountingSubscriber(socket, count, true)
  try {
    const drainTimer = startInterval(brokerPids)
    socket.send(connectPacket(SUBSCRIBER, false))
    await withDeadline(subscriber.done, timeoutMs, () => {
      return `resume: ${subscriber.distinct}/${count} messages received`
    })
    const resume = drainTimer.stop(`${metrics}-resume`, count, subscriber.duplicates)
    await socket.end()
    return [resume, enqueue]
  } catch (err) {
    socket.destroy()
    throw err
  }
}
