import type { IPublishPacket } from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { type ChildBroker, sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'
import { Condition, MqttPeer, seededRandom } from './mqtt-peer.ts'

// The durability promise: a PUBACK (QoS 1) or PUBREC (QoS 2) means the
// message is stored for every matching persistent session, so a kill -9 at
// any moment loses nothing acknowledged. Only what a client can observe is
// assumed: nothing about when SQLite checkpoints its WAL.

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const random = seededRandom(SEED)
console.log(`crash test seed ${SEED} (repeat with CRASH_SEED=${SEED})`)

/** PUBLISH packets in flight at once: as fast as the broker takes them. */
const WINDOW = 256
/** A bound for a wait that should take milliseconds; only a failure reaches it. */
const PATIENCE_MS = 15_000

type QoS = 1 | 2
interface Flight {
  seq: number
  /** 'publish' until PUBREC, then 'pubrel' until PUBCOMP (QoS 2). */
  state: 'publish' | 'pubrel'
}

function startOn(dataDir: string): Promise<ChildBroker> {
  return startChildBroker(sqliteArgs(dataDir))
}

const key = (cycle: number, seq: number) => `${cycle}:${seq}`

/**
 * Publishes `cycle:seq` payloads at QoS `qos` as fast as the broker
 * acknowledges them, and kill -9s the broker once `target` were
 * acknowledged. Returns what the publisher knows when its connection died.
 */
async function publishUntilKilled(
  broker: ChildBroker,
  qos: QoS,
  cycle: number,
  target: number,
  clientId: string,
) {
  const topic = `crash/q${qos}/${cycle}`
  const acked = new Set<number>()
  const inflight = new Map<number, Flight>()
  let seq = 0
  let lastId = 0
  let killed = false

  const fill = (peer: MqttPeer) => {
    while (!killed && inflight.size < WINDOW) {
      seq++
      do lastId = (lastId % 65535) + 1
      while (inflight.has(lastId))
      inflight.set(lastId, { seq, state: 'publish' })
      peer.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(key(cycle, seq)),
        qos,
        messageId: lastId,
        dup: false,
        retain: false,
      })
    }
  }

  const { peer } = await MqttPeer.connect(
    broker.mqttUrl,
    { clientId, clean: qos === 1 },
    (packet) => {
      const id = (packet as { messageId?: number }).messageId ?? -1
      const flight = inflight.get(id)
      if (!flight) throw new Error(`${packet.cmd} for unknown packet id ${id}`)
      if (packet.cmd === 'puback' && qos === 1) {
        inflight.delete(id)
        acked.add(flight.seq)
      } else if (packet.cmd === 'pubrec' && qos === 2) {
        flight.state = 'pubrel'
        acked.add(flight.seq)
        peer.send({ cmd: 'pubrel', messageId: id })
      } else if (packet.cmd === 'pubcomp' && flight.state === 'pubrel') {
        inflight.delete(id)
      } else {
        throw new Error(`unexpected ${packet.cmd} for packet id ${id}`)
      }
      // Acknowledgements parsed after the kill still count: they were received.
      if (!killed && acked.size >= target) {
        killed = true
        broker.kill('SIGKILL')
      }
      fill(peer)
    },
  )
  fill(peer)
  await peer.closed
  if (!killed) {
    const exit = await broker.kill('SIGKILL')
    throw new Error(
      `the broker closed the publisher before the kill:\n${exit.stdout}\n${exit.stderr}`,
    )
  }
  const exit = await broker.exited
  expect(exit.signal).toBe('SIGKILL')
  return { topic, sent: seq, acked, inflight }
}

/**
 * Resumes the QoS 2 publisher's session after the restart and finishes
 * every exchange as MQTT 3.1.1 asks [MQTT-4.4.0-1]: PUBREL again where
 * PUBREC came, the PUBLISH again with DUP=1 where it did not.
 */
async function finishQoS2Flows(
  broker: ChildBroker,
  clientId: string,
  cycle: number,
  topic: string,
  inflight: Map<number, Flight>,
) {
  const finished = new Condition(() => inflight.size === 0)
  const { peer, connack } = await MqttPeer.connect(
    broker.mqttUrl,
    { clientId, clean: false },
    (packet, peer) => {
      const id = (packet as { messageId?: number }).messageId ?? -1
      const flight = inflight.get(id)
      if (packet.cmd === 'pubrec' && flight) {
        flight.state = 'pubrel'
        peer.send({ cmd: 'pubrel', messageId: id })
      } else if (packet.cmd === 'pubcomp' && flight?.state === 'pubrel') {
        inflight.delete(id)
        finished.poke()
      } else {
        throw new Error(`unexpected ${packet.cmd} for packet id ${id}`)
      }
    },
  )
  expect(connack.sessionPresent, 'the publisher session survived').toBe(true)
  for (const [id, flight] of inflight) {
    if (flight.state === 'pubrel') {
      peer.send({ cmd: 'pubrel', messageId: id })
      continue
    }
    peer.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(key(cycle, flight.seq)),
      qos: 2,
      messageId: id,
      dup: true,
      retain: false,
    })
  }
  await finished.within(PATIENCE_MS, () => `${inflight.size} QoS 2 exchanges never completed`)
  await peer.disconnect()
}

/**
 * The persistent subscriber. Its side of the session (QoS 2 packet ids
 * answered with PUBREC, awaiting PUBREL) outlives its connections, as the
 * spec requires of a client, so a QoS 2 message it has already taken is not
 * taken twice when the broker resends it [MQTT-4.3.3-2, Method A].
 */
class Subscriber {
  readonly clientId: string
  readonly qos: QoS
  /** Deliveries per `cycle:seq`, across the whole test. */
  readonly deliveries = new Map<string, number>()
  readonly #awaitingPubrel = new Set<number>()
  duplicates = 0
  readonly problems: string[] = []

  constructor(clientId: string, qos: QoS) {
    this.clientId = clientId
    this.qos = qos
  }

  async subscribe(broker: ChildBroker): Promise<void> {
    let granted: (resolve: number[]) => void = () => {}
    const suback = new Promise<number[]>((resolve) => {
      granted = resolve
    })
    const { peer } = await MqttPeer.connect(
      broker.mqttUrl,
      { clientId: this.clientId, clean: false },
      (packet) => {
        if (packet.cmd === 'suback') granted(packet.granted as number[])
      },
    )
    peer.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'crash/#', qos: this.qos }],
    })
    expect(await suback).toEqual([this.qos])
    await peer.disconnect()
  }

  /** Resumes the session until every key in `expected` was delivered, then disconnects. */
  async receive(broker: ChildBroker, expected: Iterable<string>): Promise<void> {
    const missing = new Set([...expected].filter((k) => !this.deliveries.has(k)))
    const complete = new Condition(() => missing.size === 0)
    let leaving = false
    const { peer, connack } = await MqttPeer.connect(
      broker.mqttUrl,
      { clientId: this.clientId, clean: false },
      (packet, peer) => {
        if (leaving) return // not taken: the broker keeps it for next time
        if (packet.cmd === 'pubrel') {
          this.#awaitingPubrel.delete(packet.messageId as number)
          peer.send({ cmd: 'pubcomp', messageId: packet.messageId })
          return
        }
        if (packet.cmd !== 'publish') {
          this.problems.push(`unexpected ${packet.cmd}`)
          return
        }
        this.#take(packet, peer)
        missing.delete(packet.payload.toString())
        complete.poke()
      },
    )
    expect(connack.sessionPresent, 'the subscriber session survived').toBe(true)
    await complete.within(
      PATIENCE_MS,
      () =>
        `${missing.size} acknowledged messages never arrived, e.g. ${[...missing].slice(0, 10).join(', ')}`,
    )
    leaving = true
    await peer.disconnect()
  }

  #take(packet: IPublishPacket, peer: MqttPeer): void {
    const id = packet.messageId as number
    if (packet.qos !== this.qos) this.problems.push(`${packet.payload} came at QoS ${packet.qos}`)
    if (packet.qos === 2) {
      peer.send({ cmd: 'pubrec', messageId: id })
      // a resend of a PUBLISH this session already took
      if (this.#awaitingPubrel.has(id)) return
      this.#awaitingPubrel.add(id)
    } else {
      peer.send({ cmd: 'puback', messageId: id })
    }
    const k = packet.payload.toString()
    const seen = this.deliveries.get(k) ?? 0
    if (seen > 0) this.duplicates++
    this.deliveries.set(k, seen + 1)
  }
}

/** How many kill -9 cycles each QoS gets: at least ten kills in all. */
const plans: { qos: QoS; cycles: number }[] = [
  { qos: 1, cycles: 8 },
  { qos: 2, cycles: 6 },
]

describe.each(plans)('at QoS $qos', ({ qos, cycles }) => {
  it(`delivers every acknowledged message after each of ${cycles} kill -9s of the broker`, async () => {
    const dataDir = tempDir('sessionlab-crash-')
    const subscriber = new Subscriber(`crash-sub-q${qos}`, qos)
    const publisherId = `crash-pub-q${qos}`
    let broker = await startOn(dataDir)
    await subscriber.subscribe(broker)
    const everyAcked: string[] = []

    for (let cycle = 1; cycle <= cycles; cycle++) {
      const target = 50 + Math.floor(random() * 1951)
      const run = await publishUntilKilled(broker, qos, cycle, target, publisherId)
      broker = await startOn(dataDir)
      const acked = [...run.acked].map((seq) => key(cycle, seq))
      everyAcked.push(...acked)
      // At QoS 2 the publisher completes its exchanges, and then every
      // message it sent is owed exactly once; at QoS 1 it just goes away.
      const owed = qos === 2 ? Array.from({ length: run.sent }, (_, i) => key(cycle, i + 1)) : acked
      if (qos === 2) await finishQoS2Flows(broker, publisherId, cycle, run.topic, run.inflight)
      const duplicatesBefore = subscriber.duplicates
      await subscriber.receive(broker, owed)
      const extra = [...subscriber.deliveries.keys()].filter(
        (k) => k.startsWith(`${cycle}:`) && !run.acked.has(Number(k.split(':')[1])),
      ).length
      console.log(
        `QoS ${qos} cycle ${cycle}: kill -9 after ${run.acked.size} acknowledged (target ${target}, ${run.sent} sent); ` +
          `${extra} unacknowledged also delivered; ${subscriber.duplicates - duplicatesBefore} duplicates`,
      )
    }

    for (const k of everyAcked) expect(subscriber.deliveries.get(k), k).toBeGreaterThan(0)
    expect(subscriber.problems).toEqual([])
    if (qos === 2) {
      const twice = [...subscriber.deliveries].filter(([, n]) => n > 1).map(([k]) => k)
      expect(twice, 'QoS 2 messages delivered more than once').toEqual([])
    }
    console.log(`QoS ${qos}: ${subscriber.duplicates} duplicates in all (allowed at QoS 1 only)`)
  }, 60_000)
})
