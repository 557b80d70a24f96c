import { percentileSorted } from '../stats.ts'
import type { Measurement, Targets } from '../types.ts'
import { startInterval, withDeadline } from './measure.ts'
import { publishEncoder, sentAtOf, stampSentAt } from './publisher.ts'
import { openSession, subscribeQos1 } from './session.ts'
import { CountingSubscriber } from './subscriber.ts'

export interface LatencyParams {
  brokerPids: number[]
  count: number
  /** Publishes per second. */
  rate: number
  timeoutMs: number
}

const TOPIC = 'bench/latency'
/** Far above what a moderate rate needs; reaching it means the broker has stopped acknowledging. */
const MAX_IN_FLIGHT = 10_000
const TICK_MS = 1

/**
 * Publish-to-deliver latency at a fixed, moderate rate: one publisher sends `count` QoS 1 messages
 * at `rate` per second (stamped with `process.hrtime` at the moment they are queued for the
 * socket), one persistent subscriber receives them in the same process, so both ends read one
 * clock. Reports the p50 and p99 of the first delivery of each message, in ms.
 */
export async function runLatency(targets: Targets, params: LatencyParams): Promise<Measurement[]> {
  const { brokerPids, count, rate, timeoutMs } = params
  const subscriberSocket = await openSession(targets.subscribe, 'bench-latency-sub', false)
  await subscribeQos1(subscriberSocket, TOPIC)
  const publisher = await openSession(targets.publish, 'bench-latency-pub', true)
  const latenciesMs = new Float64Array(count)
  const subscriber = new CountingSubscriber(subscriberSocket, count, false, (seq, payload) => {
    latenciesMs[seq] = Number(process.hrtime.bigint() - sentAtOf(payload)) / 1e6
  })
  const encode = publishEncoder(TOPIC)
  let sent = 0
  let acked = 0
  publisher.onPacket({
    puback: () => {
      acked++
    },
    publish: () => publisher.destroy(),
    control: () => publisher.destroy(),
  })
  const timer = startInterval(brokerPids)
  const started = performance.now()
  // Sends whatever the schedule says is due; a 1 ms tick keeps bursts to a couple of messages.
  const tick = setInterval(() => {
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000))
    while (sent < due && sent - acked < MAX_IN_FLIGHT) {
      const packet = encode((sent % 65_535) + 1, sent)
      stampSentAt(packet)
      publisher.queue(packet)
      sent++
    }
    publisher.flush()
  }, TICK_MS)
  try {
    await withDeadline(
      Promise.race([subscriber.done, publisher.failed]),
      timeoutMs + (count / rate) * 1000,
      () => `${subscriber.distinct}/${count} delivered, ${sent} sent, ${acked} PUBACKs`,
    )
  } catch (err) {
    publisher.destroy()
    subscriberSocket.destroy()
    throw err
  } finally {
    clearInterval(tick)
  }
  const p50 = timer.stop('latency-p50', count, subscriber.duplicates)
  const sorted = latenciesMs.sort()
  await Promise.all([publisher.end(), subscriberSocket.end()])
  return [
    { ...p50, value: percentileSorted(sorted, 50) },
    { ...p50, metric: 'latency-p99', value: percentileSorted(sorted, 99), duplicates: 0 },
  ]
}
