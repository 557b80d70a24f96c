import type { Measurement, Target } from '../types.ts'
import { startInterval, withDeadline } from './measure.ts'
import { PacketSocket } from './packet-socket.ts'
import { publishWindowed } from './publisher.ts'
import { connectPacket, openSession, subscribeQos1 } from './session.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface DrainParams {
  brokerPid?: number
  count: number
  window: number
  timeoutMs: number
}

const TOPIC = 'bench/drain'
const SUBSCRIBER = 'bench-drain-sub'

/**
 * Resume drain: a persistent session subscribes and goes offline, `count` QoS 1 messages are queued
 * for it, then it reconnects. Timed from CONNECT sent until every queued message has arrived (each
 * PUBACKed as it arrives). The enqueue phase is timed too, as `drain-enqueue`.
 */
export async function runDrain(target: Target, params: DrainParams): Promise<Measurement[]> {
  const { brokerPid, count, window, timeoutMs } = params

  const offline = await openSession(target, SUBSCRIBER, false)
  await subscribeQos1(offline, TOPIC)
  await offline.end()

  const publisher = await openSession(target, 'bench-drain-pub', true)
  const published = { acked: 0 }
  const enqueueTimer = startInterval(brokerPid)
  await withDeadline(
    publishWindowed(publisher, TOPIC, count, window, published),
    timeoutMs,
    () => `enqueue: ${published.acked}/${count} PUBACKs`,
  )
  const enqueue = enqueueTimer.stop('drain-enqueue', count)
  await publisher.end()

  const socket = await PacketSocket.connect(target, SUBSCRIBER)
  const subscriber = new CountingSubscriber(socket, count, true)
  try {
    const drainTimer = startInterval(brokerPid)
    socket.send(connectPacket(SUBSCRIBER, false))
    await withDeadline(subscriber.done, timeoutMs, () => {
      return `resume: ${subscriber.distinct}/${count} messages received`
    })
    const resume = drainTimer.stop('drain-resume', count, subscriber.duplicates)
    await socket.end()
    return [resume, enqueue]
  } catch (err) {
    socket.destroy()
    throw err
  }
}
