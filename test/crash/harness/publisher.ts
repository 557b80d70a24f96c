import type { Packet } from 'mqtt-packet'
import { Condition, Peer } from './peer.ts'
import type { QoS } from './subscriber.ts'

/** PUBLISH packets in flight at once per publisher: as fast as the broker takes them. */
const WINDOW = 128

interface Flight {
  seq: number
  /** 'publish' until PUBREC, then 'pubrel' until PUBCOMP (QoS 2). */
  state: 'publish' | 'pubrel'
}

export const payloadOf = (qos: QoS, cycle: number, seq: number) => `q${qos}:${cycle}:${seq}`

/**
 * Publishes `q<qos>:<cycle>:<seq>` payloads to `mix/q<qos>/<cycle>` as fast
 * as the broker acknowledges them, until the connection dies. The QoS 1
 * publisher is a CleanSession=1 client; the QoS 2 one keeps a session, so it
 * can finish its exchanges after a restart.
 */
export class Publisher {
  readonly qos: QoS
  readonly clientId: string
  readonly cycle: number
  readonly topic: string
  /** Sequence numbers the broker acknowledged (PUBACK, or PUBREC at QoS 2). */
  readonly acked = new Set<number>()
  readonly inflight = new Map<number, Flight>()
  readonly problems: string[] = []
  sent = 0
  #lastId = 0
  #stopped = false

  constructor(qos: QoS, cycle: number) {
    this.qos = qos
    this.clientId = `mix-pub-q${qos}`
    this.cycle = cycle
    this.topic = `mix/q${qos}/${cycle}`
  }

  /** Publishes until the connection closes; `onAck` runs after each acknowledgement. */
  async run(url: string, onAck: () => void): Promise<void> {
    const { peer } = await Peer.connect(
      url,
      { clientId: this.clientId, clean: this.qos === 1 },
      (packet, peer) => {
        this.#onPacket(packet, peer)
        onAck()
        this.#fill(peer)
      },
    )
    this.#fill(peer)
    await peer.closed
  }

  /** No new PUBLISH after this (acknowledgements already on their way still count). */
  stop(): void {
    this.#stopped = true
  }

  /**
   * After a restart: resumes the session and finishes every QoS 2 exchange
   * as MQTT 3.1.1 asks [MQTT-4.4.0-1]: PUBREL again where PUBREC came, the
   * PUBLISH again with DUP=1 where it did not. Resolves with session-present
   * and whether every exchange completed within the bound.
   */
  async finish(
    url: string,
    patienceMs: number,
  ): Promise<{ sessionPresent: boolean; done: boolean }> {
    const finished = new Condition(() => this.inflight.size === 0)
    const { peer, connack } = await Peer.connect(
      url,
      { clientId: this.clientId, clean: false },
      (packet, peer) => {
        this.#onPacket(packet, peer)
        finished.poke()
      },
    )
    for (const [id, flight] of this.inflight) {
      if (flight.state === 'pubrel') peer.send({ cmd: 'pubrel', messageId: id })
      else peer.send(this.#publish(id, flight.seq, true))
    }
    const done = await finished.settle(patienceMs, 0)
    await peer.disconnect()
    return { sessionPresent: connack.sessionPresent, done }
  }

  #fill(peer: Peer): void {
    while (!this.#stopped && this.inflight.size < WINDOW) {
      this.sent++
      do this.#lastId = (this.#lastId % 65535) + 1
      while (this.inflight.has(this.#lastId))
      this.inflight.set(this.#lastId, { seq: this.sent, state: 'publish' })
      peer.send(this.#publish(this.#lastId, this.sent, false))
    }
  }

  #publish(messageId: number, seq: number, dup: boolean): Packet {
    const payload = Buffer.from(payloadOf(this.qos, this.cycle, seq))
    return {
      cmd: 'publish',
      topic: this.topic,
      payload,
      qos: this.qos,
      messageId,
      dup,
      retain: false,
    }
  }

  #onPacket(packet: Packet, peer: Peer): void {
    const id = (packet as { messageId?: number }).messageId ?? -1
    const flight = this.inflight.get(id)
    if (!flight) {
      this.problems.push(`${this.clientId}: ${packet.cmd} for unknown packet id ${id}`)
    } else if (packet.cmd === 'puback' && this.qos === 1) {
      this.inflight.delete(id)
      this.acked.add(flight.seq)
    } else if (packet.cmd === 'pubrec' && this.qos === 2) {
      flight.state = 'pubrel'
      this.acked.add(flight.seq)
      peer.send({ cmd: 'pubrel', messageId: id })
    } else if (packet.cmd === 'pubcomp' && flight.state === 'pubrel') {
      this.inflight.delete(id)
    } else {
      this.problems.push(`${this.clientId}: unexpected ${packet.cmd} for packet id ${id}`)
    }
  }
}
