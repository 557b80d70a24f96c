/** The four packets that are a packet id and nothing else [MQTT-3.4 to 3.7]. */
export type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'

/** Receives the frames a {@link FrameReader} cuts out of the byte stream. */
export interface FrameSink {
  publish(qos: number, packetId: number, payload: Buffer): void
  ack(type: AckType, packetId: number): void
  /** Any other packet, as its complete bytes (fixed header included). */
  other(frame: Buffer): void
}

const PUBLISH = 3
/** Packet types 4 to 7, in order. */
const ACKS: readonly AckType[] = ['puback', 'pubrec', 'pubrel', 'pubcomp']

/**
 * Cuts an MQTT byte stream into packets [MQTT-2.2]. PUBLISH and the acknowledgements (PUBACK, and
 * QoS 2's PUBREC, PUBREL, PUBCOMP), the hot path of every workload, are decoded in place without building packet objects or decoding topics: at a few
 * hundred thousand packets a second, mqtt-packet's general parser would make the load generator
 * the bottleneck. A packet split over TCP chunks is kept until the rest arrives.
 */
export class FrameReader {
  #rest: Buffer | undefined

  push(chunk: Buffer, sink: FrameSink): void {
    const bytes = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk])
    let at = 0
    while (at < bytes.length) {
      const end = this.#frame(bytes, at, sink)
      if (end < 0) break
      at = end
    }
    this.#rest = at < bytes.length ? bytes.subarray(at) : undefined
  }

  /** Dispatches the packet starting at `start`; returns where it ends, or -1 if incomplete. */
  #frame(bytes: Buffer, start: number, sink: FrameSink): number {
    // Remaining Length: up to four 7-bit groups, least significant first [MQTT-2.2.3].
    let length = 0
    let at = start + 1
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) return -1
      if (shift > 21) throw new Error('malformed Remaining Length')
      const byte = bytes[at++] as number
      length += (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) break
    }
    const end = at + length
    if (end > bytes.length) return -1
    const first = bytes[start] as number
    const type = first >> 4
    if (type === PUBLISH) {
      const qos = (first >> 1) & 0x03
      at += 2 + bytes.readUInt16BE(at)
      const packetId = qos > 0 ? bytes.readUInt16BE(at) : 0
      sink.publish(qos, packetId, bytes.subarray(qos > 0 ? at + 2 : at, end))
    } else if (type >= 4 && type <= 7) {
      sink.ack(ACKS[type - 4] as AckType, bytes.readUInt16BE(at))
    } else {
      sink.other(bytes.subarray(start, end))
    }
    return end
  }
}
