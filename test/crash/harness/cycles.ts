import { Peer } from './peer.ts'
import { Publisher, payloadOf } from './publisher.ts'
import { type QoS, Subscriber } from './subscriber.ts'

/** A broker the harness can kill -9 and start again on the same data. */
export interface CrashTarget {
  url: string
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>
}

export interface CrashRunOptions {
  /** Starts the broker on the run's data dir (the same one every time). */
  start(): Promise<CrashTarget>
  cycles: number
  random(): number
  /**
   * Strict (tests): a wait that exceeds `patienceMs` throws. Lenient (the
   * bench against brokers that lose data): a wait ends once nothing arrived
   * for `quietMs`, a lost session is re-subscribed, and losses are counted.
   */
  lenient?: { quietMs: number }
  patienceMs: number
  log(line: string): void
}

/**
 * What one kill -9 cost. "Owed" is every acknowledged message, plus every QoS 2 message whose
 * exchange its publisher completed after the restart.
 */
export interface CycleReport {
  cycle: number
  acked: { q1: number; q2: number }
  sent: { q1: number; q2: number }
  /** session-present on the first CONNECT after the restart. */
  sessionPresent: { publisherQ2: boolean; subscriberQ2: boolean; subscriberQ1: boolean }
  /** Whether the QoS 2 publisher finished every exchange after the restart. */
  publisherFinished: boolean
  /** Owed messages never delivered, per subscriber. */
  lost: { subscriberQ2: number; subscriberQ1: number }
  /** Acknowledged (PUBACK/PUBREC before the kill) and never delivered, per subscriber. */
  lostAcked: { subscriberQ2: number; subscriberQ1: number }
  /** QoS 2 messages the QoS 2 subscriber got more than once (must be 0). */
  duplicatesQoS2: number
  /** Extra copies of QoS 1 deliveries (allowed). */
  duplicatesQoS1: number
  /** A message published after the restart reached each subscriber without a new SUBSCRIBE. */
  probeDelivered: { subscriberQ2: boolean; subscriberQ1: boolean }
}

export interface CrashRunResult {
  cycles: CycleReport[]
  /** Protocol surprises seen by any client (wrong QoS, unknown packet ids). */
  problems: string[]
}

/**
 * Mixed QoS 1/2 traffic to two persistent subscribers, with a kill -9 of the
 * broker in the middle of it, `cycles` times:
 *
 * - `mix-sub-q2` is granted QoS 2 on `mix/#` and stays online through the
 *   traffic (deliveries in flight at the kill); `mix-sub-q1` is granted QoS 1
 *   and is offline (everything queued);
 * - a CleanSession=1 QoS 1 publisher and a persistent QoS 2 publisher publish
 *   at once, as fast as acknowledged, until the broker is killed after a
 *   random number of acknowledgements;
 * - after the restart the QoS 2 publisher completes its exchanges, each
 *   subscriber resumes (session-present must be 1), receives what it is owed,
 *   and then a new message published while it is connected must reach it,
 *   without a new SUBSCRIBE.
 */
export async function runCrashCycles(options: CrashRunOptions): Promise<CrashRunResult> {
  const { lenient, patienceMs, log } = options
  const bound = { patienceMs, ...(lenient ? { quietMs: lenient.quietMs } : {}) }
  const subQ2 = new Subscriber('mix-sub-q2', 2)
  const subQ1 = new Subscriber('mix-sub-q1', 1)
  const reports: CycleReport[] = []
  const problems: string[] = []

  let target = await options.start()
  for (const sub of [subQ1, subQ2]) {
    await sub.connect(target.url)
    await sub.subscribe()
  }
  await subQ1.disconnect()

  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    const killAfter = 100 + Math.floor(options.random() * 1400)
    const publishers = [new Publisher(1, cycle), new Publisher(2, cycle)] as const
    const [pubQ1, pubQ2] = publishers
    let killed: Promise<void> | undefined
    // both kinds of traffic acknowledged, QoS 1 about twice as much (as fast as a broker goes)
    const onAck = () => {
      if (killed || pubQ1.acked.size < (killAfter * 2) / 3 || pubQ2.acked.size < killAfter / 3) {
        return
      }
      for (const p of publishers) p.stop()
      killed = target.kill9()
    }
    await Promise.all(
      publishers.map(async (p) => {
        await p.run(target.url, onAck)
        if (!killed)
          throw new Error(`cycle ${cycle}: the broker closed ${p.clientId} before the kill`)
      }),
    )
    await killed

    target = await options.start()
    const finished = await pubQ2.finish(target.url, patienceMs)
    const q1Acked = [...pubQ1.acked].map((seq) => payloadOf(1, cycle, seq))
    const q2Acked = [...pubQ2.acked].map((seq) => payloadOf(2, cycle, seq))
    // Once its exchanges completed, every QoS 2 message the publisher sent is owed.
    const q2Owed = finished.done
      ? Array.from({ length: pubQ2.sent }, (_, i) => payloadOf(2, cycle, i + 1))
      : q2Acked
    const owed = [...q1Acked, ...q2Owed]
    const acked = new Set([...q1Acked, ...q2Acked])

    const resumed = { subscriberQ2: false, subscriberQ1: false }
    const lost = { subscriberQ2: 0, subscriberQ1: 0 }
    const lostAcked = { subscriberQ2: 0, subscriberQ1: 0 }
    const probeDelivered = { subscriberQ2: false, subscriberQ1: false }
    for (const [name, sub] of [
      ['subscriberQ2', subQ2],
      ['subscriberQ1', subQ1],
    ] as const) {
      resumed[name] = await sub.connect(target.url)
      if (!resumed[name]) {
        if (!lenient) throw new Error(`cycle ${cycle}: ${sub.clientId} lost its session`)
        await sub.subscribe() // so that the next cycle measures its own loss
      }
      const missing = await sub.await(owed, bound)
      lost[name] = missing.length
      lostAcked[name] = missing.filter((k) => acked.has(k)).length
      probeDelivered[name] = await probe(target.url, sub, `probe:${cycle}:${sub.clientId}`, bound)
      if (sub === subQ1) await sub.disconnect() // subQ2 stays online into the next cycle
    }

    const twice = (sub: Subscriber, prefix: string) =>
      [...sub.deliveries].filter(([k, n]) => k.startsWith(prefix) && n > 1).length
    const report: CycleReport = {
      cycle,
      acked: { q1: pubQ1.acked.size, q2: pubQ2.acked.size },
      sent: { q1: pubQ1.sent, q2: pubQ2.sent },
      sessionPresent: { publisherQ2: finished.sessionPresent, ...resumed },
      publisherFinished: finished.done,
      lost,
      lostAcked,
      duplicatesQoS2: twice(subQ2, `q2:${cycle}:`),
      duplicatesQoS1:
        twice(subQ2, `q1:${cycle}:`) + twice(subQ1, `q1:${cycle}:`) + twice(subQ1, `q2:${cycle}:`),
      probeDelivered,
    }
    problems.push(...pubQ1.problems, ...pubQ2.problems)
    reports.push(report)
    log(describeCycle(report, killAfter))
  }
  await subQ2.disconnect()
  await target.kill9()
  problems.push(...subQ1.problems, ...subQ2.problems)
  return { cycles: reports, problems }
}

/** Publishes `payload` at QoS 1 on a fresh connection; true once `sub` (connected) received it. */
async function probe(
  url: string,
  sub: Subscriber,
  payload: string,
  bound: { patienceMs: number; quietMs?: number },
): Promise<boolean> {
  const { peer } = await Peer.connect(url, { clientId: 'mix-probe', clean: true }, () => {})
  peer.send({
    cmd: 'publish',
    topic: 'mix/probe',
    payload: Buffer.from(payload),
    qos: 1,
    messageId: 1,
    dup: false,
    retain: false,
  })
  const missing = await sub.await([payload], bound)
  await peer.disconnect()
  return missing.length === 0
}

function describeCycle(r: CycleReport, killAfter: number): string {
  const sp = r.sessionPresent
  return (
    `cycle ${r.cycle}: kill -9 after ${r.acked.q1 + r.acked.q2} acks (target ${killAfter}; ` +
    `QoS 1 ${r.acked.q1}/${r.sent.q1}, QoS 2 ${r.acked.q2}/${r.sent.q2} acked/sent); ` +
    `session-present pub-q2=${+sp.publisherQ2} sub-q2=${+sp.subscriberQ2} sub-q1=${+sp.subscriberQ1}; ` +
    `lost acked sub-q2=${r.lostAcked.subscriberQ2} sub-q1=${r.lostAcked.subscriberQ1}; ` +
    `QoS 2 duplicates ${r.duplicatesQoS2}, QoS 1 duplicates ${r.duplicatesQoS1}; ` +
    `probes ${+r.probeDelivered.subscriberQ2}/${+r.probeDelivered.subscriberQ1}`
  )
}

export type { QoS }
