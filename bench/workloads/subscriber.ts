import type { PacketSocket } from './packet-socket.ts'
import { ackPacket, sequenceOf } from './publisher.ts'
import { checkConnack } from './session.ts'

/**
 * Counts distinct messages (by the sequence number in the payload) until `expected` have arrived,
 * acknowledging each as it arrives: PUBACK for QoS 1 [MQTT-4.3.2-2], PUBREC then PUBCOMP for QoS 2
 * [MQTT-4.3.3-2]. Also takes the CONNACK of a resuming session, which may share a TCP chunk with
 * the first queued messages. `onFirst` hears every message the first time it arrives.
 */
export class CountingSubscriber {
  distinct = 0
  duplicates = 0
  readonly done: Promise<void>
  readonly #seen: Uint8Array

  constructor(
    readonly socket: PacketSocket,
    expected: number,
    expectSessionPresent: boolean,
    onFirst?: (seq: number, payload: Buffer) => void,
  ) {
    this.#seen = new Uint8Array(expected)
    const received = new Promise<void>((resolve, reject) => {
      socket.onPacket({
        publish: (qos, packetId, payload) => {
          if (qos === 1) socket.queue(ackPacket('puback', packetId))
          else if (qos === 2) socket.queue(ackPacket('pubrec', packetId))
          const seq = sequenceOf(payload)
          if (this.#count(seq)) onFirst?.(seq, payload)
          if (this.distinct === expected) resolve()
        },
        pubrel: (packetId) => socket.queue(ackPacket('pubcomp', packetId)),
        puback: () => reject(new Error(`${socket.label}: unexpected puback`)),
        control: (packet) => {
          if (packet.cmd !== 'connack') {
            reject(new Error(`${socket.label}: unexpected ${packet.cmd}`))
            return
          }
          try {
            checkConnack(packet, socket.label)
          } catch (err) {
            reject(err)
          }
          if (expectSessionPresent && !packet.sessionPresent) {
            reject(new Error(`${socket.label}: session not resumed (CONNACK sessionPresent=0)`))
          }
        },
      })
    })
    this.done = Promise.race([received, socket.failed])
  }

  /** True the first time `seq` is seen. */
  #count(seq: number): boolean {
    if (seq < 0 || seq >= this.#seen.length) return false
    if (this.#seen[seq] === 1) {
      this.duplicates++
      return false
    }
    this.#seen[seq] = 1
    this.distinct++
    return true
  }
}
