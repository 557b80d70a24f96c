import type { PacketSocket } from './packet-socket.ts'
import { sequenceOf } from './publisher.ts'
import { checkConnack } from './session.ts'

/**
 * Counts distinct messages (by the sequence number in the payload) until `expected` have arrived,
 * acknowledging each QoS 1 PUBLISH as it arrives [MQTT-4.3.2-2]. Also takes the CONNACK of a
 * resuming session, which may share a TCP chunk with the first queued messages.
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
  ) {
    this.#seen = new Uint8Array(expected)
    const received = new Promise<void>((resolve, reject) => {
      socket.onPacket({
        publish: (qos, packetId, payload) => {
          if (qos === 1) socket.queue(puback(packetId))
          this.#count(sequenceOf(payload))
          if (this.distinct === expected) resolve()
        },
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

  #count(seq: number): void {
    if (seq < 0 || seq >= this.#seen.length) return
    if (this.#seen[seq] === 1) {
      this.duplicates++
      return
    }
    this.#seen[seq] = 1
    this.distinct++
  }
}

/** PUBACK is fixed-size: type 4, remaining length 2, packet id [MQTT-3.4]. */
function puback(packetId: number): Buffer {
  const bytes = Buffer.allocUnsafe(4)
  bytes[0] = 0x40
  bytes[1] = 0x02
  bytes.writeUInt16BE(packetId, 2)
  return bytes
}
