import mqtt from 'mqtt-packet'
import type { PacketSocket } from './packet-socket.ts'

export const PAYLOAD_BYTES = 64

/** Where the send time (hrtime, ns, 8 bytes) sits in a payload, after the sequence number. */
export const SENT_AT_OFFSET = 4

/**
 * Encodes PUBLISH packets by patching a template: the packet id (QoS 1 and 2), and a sequence
 * number in the payload's first 4 bytes so subscribers can count distinct messages and spot
 * redeliveries.
 */
export function publishEncoder(
  topic: string,
  qos: 0 | 1 | 2 = 1,
): (packetId: number, seq: number) => Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2e)
  const template = mqtt.generate({
    cmd: 'publish',
    qos,
    dup: false,
    retain: false,
    topic,
    messageId: 1,
    payload,
  })
  // MQTT 3.1.1 PUBLISH: ... topic | packet id (2, QoS > 0 only) | payload; the payload ends it.
  const payloadOffset = template.length - PAYLOAD_BYTES
  return (packetId, seq) => {
    const packet = Buffer.allocUnsafe(template.length)
    template.copy(packet)
    if (qos > 0) packet.writeUInt16BE(packetId, payloadOffset - 2)
    packet.writeUInt32BE(seq, payloadOffset)
    return packet
  }
}

/** Writes the current hrtime into a packet from {@link publishEncoder}, for latency. */
export function stampSentAt(packet: Buffer): void {
  packet.writeBigUInt64BE(process.hrtime.bigint(), packet.length - PAYLOAD_BYTES + SENT_AT_OFFSET)
}

/** The hrtime {@link stampSentAt} put in a payload. */
export function sentAtOf(payload: Buffer): bigint {
  return payload.readBigUInt64BE(SENT_AT_OFFSET)
}

/** Reads the sequence number {@link publishEncoder} put in a payload; -1 if it has none. */
export function sequenceOf(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) : -1
}

export interface PublishProgress {
  acked: number
}

/**
 * Publishes `count` QoS 1 or 2 messages keeping up to `window` unacknowledged, and resolves once
 * every PUBACK (QoS 1) or PUBCOMP (QoS 2, after PUBREC → PUBREL [MQTT-4.3.3]) is in. Each
 * completed message releases the next PUBLISH, batched per TCP chunk.
 */
export function publishWindowed(
  socket: PacketSocket,
  topic: string,
  count: number,
  window: number,
  progress: PublishProgress = { acked: 0 },
  qos: 1 | 2 = 1,
): Promise<void> {
  const encode = publishEncoder(topic, qos)
  let sent = 0
  const sendNext = (): void => {
    // Packet ids 1..65535, reused once acknowledged [MQTT-2.3.1-1]; window <= 65535 keeps them unique.
    socket.queue(encode((sent % 65_535) + 1, sent))
    sent++
  }
  const done = new Promise<void>((resolve, reject) => {
    const expected = qos === 1 ? 'puback' : 'pubrec/pubcomp'
    const unexpected = (what: string): void => {
      reject(new Error(`${socket.label}: expected ${expected}, got ${what}`))
    }
    const completed = (): void => {
      progress.acked++
      if (sent < count) sendNext()
      else if (progress.acked === count) resolve()
    }
    socket.onPacket({
      puback: qos === 1 ? completed : () => unexpected('puback'),
      publish: () => unexpected('publish'),
      control: (packet) => unexpected(packet.cmd),
      ...(qos === 2 && {
        pubrec: (packetId: number) => socket.queue(ackPacket('pubrel', packetId)),
        pubcomp: completed,
      }),
    })
  })
  while (sent < Math.min(window, count)) sendNext()
  socket.flush()
  return Promise.race([done, socket.failed])
}

const ACK_HEADER = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const

/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP: fixed header, remaining length 2, packet id [MQTT-3.4 to 3.7];
 * PUBREL's reserved flags are 0010 [MQTT-3.6.1-1].
 */
export function ackPacket(type: keyof typeof ACK_HEADER, packetId: number): Buffer {
  const bytes = Buffer.allocUnsafe(4)
  bytes[0] = ACK_HEADER[type]
  bytes[1] = 0x02
  bytes.writeUInt16BE(packetId, 2)
  return bytes
}
