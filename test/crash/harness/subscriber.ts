import type { IPublishPacket, Packet } from 'mqtt-packet'
import { Condition, Peer } from './peer.ts'

export type QoS = 1 | 2
export const TOPIC_FILTER = 'mix/#'

/**
 * A persistent subscriber on `mix/#`. Its side of the session (QoS 2 packet
 * ids answered with PUBREC and awaiting PUBREL) outlives its connections, as
 * the spec requires of a client, so a QoS 2 message it already took is not
 * taken twice when the broker resends it [MQTT-4.3.3-2, Method A].
 */
export class Subscriber {
  readonly clientId: string
  readonly granted: QoS
  /** Deliveries per payload, across the whole run. */
  readonly deliveries = new Map<string, number>()
  readonly problems: string[] = []
  readonly #awaitingPubrel = new Set<number>()
  #peer: Peer | undefined
  #arrived = new Condition(() => false)
  #suback: ((granted: number[]) => void) | undefined

  constructor(clientId: string, granted: QoS) {
    this.clientId = clientId
    this.granted = granted
  }

  get online(): boolean {
    return this.#peer !== undefined && !this.#peer.isClosed
  }

  /** Opens a CleanSession=0 connection; resolves with session-present. */
  async connect(url: string): Promise<boolean> {
    const { peer, connack } = await Peer.connect(
      url,
      { clientId: this.clientId, clean: false },
      (packet, peer) => this.#onPacket(packet, peer),
    )
    if (connack.returnCode !== 0) throw new Error(`${this.clientId}: CONNACK ${connack.returnCode}`)
    this.#peer = peer
    return connack.sessionPresent
  }

  async subscribe(): Promise<void> {
    const granted = new Promise<number[]>((resolve) => {
      this.#suback = resolve
    })
    this.#peer?.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: TOPIC_FILTER, qos: this.granted }],
    })
    const codes = await granted
    if (codes[0] !== this.granted) throw new Error(`${this.clientId}: granted ${codes}`)
  }

  async disconnect(): Promise<void> {
    await this.#peer?.disconnect()
    this.#peer = undefined
  }

  /**
   * Waits until every payload in `keys` has been delivered. Strict: fails
   * after `patienceMs`. Lenient: gives up once nothing arrived for `quietMs`.
   * Resolves with the payloads still missing.
   */
  async await(
    keys: Iterable<string>,
    bound: { patienceMs: number; quietMs?: number },
  ): Promise<string[]> {
    const missing = () => [...keys].filter((k) => !this.deliveries.has(k))
    this.#arrived = new Condition(() => missing().length === 0)
    if (bound.quietMs === undefined) {
      await this.#arrived.within(bound.patienceMs, () => {
        const left = missing()
        return `${this.clientId}: ${left.length} owed messages never arrived, e.g. ${left.slice(0, 8).join(', ')}`
      })
    } else {
      await this.#arrived.settle(bound.patienceMs, bound.quietMs)
    }
    return missing()
  }

  #onPacket(packet: Packet, peer: Peer): void {
    if (packet.cmd === 'suback') {
      this.#suback?.(packet.granted as number[])
    } else if (packet.cmd === 'pubrel') {
      this.#awaitingPubrel.delete(packet.messageId as number)
      peer.send({ cmd: 'pubcomp', messageId: packet.messageId })
    } else if (packet.cmd === 'publish') {
      this.#take(packet, peer)
      this.#arrived.poke()
    } else {
      this.problems.push(`${this.clientId}: unexpected ${packet.cmd}`)
    }
  }

  #take(packet: IPublishPacket, peer: Peer): void {
    const key = packet.payload.toString()
    // [MQTT-3.8.4-6]: min(published, granted); probes are published at QoS 1
    const published = key.startsWith('q2:') ? 2 : 1
    const expected = Math.min(published, this.granted)
    if (packet.qos !== expected) {
      this.problems.push(`${this.clientId}: ${key} came at QoS ${packet.qos}, not ${expected}`)
    }
    const id = packet.messageId as number
    if (packet.qos === 2) {
      peer.send({ cmd: 'pubrec', messageId: id })
      // a resend of a PUBLISH this session already took
      if (this.#awaitingPubrel.has(id)) return
      this.#awaitingPubrel.add(id)
    } else {
      peer.send({ cmd: 'puback', messageId: id })
    }
    this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1)
  }
}
