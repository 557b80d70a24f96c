import mqtt from 'mqtt-packet'
import type { PacketSocket } from './packet-socket.ts'

export const PAYLOAD_BYTES = 64

/**
 * Encodes QoS 1 PUBLISH packets by patching a template: the packet id, and a sequence number in the
 * payload's first 4 bytes so subscribers can count distinct messages and spot redeliveries.
 */
export function publishEncoder(topic: string): (packetId: number, seq: number) => Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2e)
  const template = mqtt.generate({
    cmd: 'publish',
    qos: 1,
    dup: false,
    retain: false,
    topic,
    messageId: 1,
    payload,
  })
  // MQTT 3.1.1 QoS 1 PUBLISH: ... topic | packet id (2) | payload; the payload ends the packet.
  const idOffset = template.length - PAYLOAD_BYTES - 2
  return (packetId, seq) => {
    const packet = Buffer.allocUnsafe(template.length)
    template.copy(packet)
    packet.writeUInt16BE(packetId, idOffset)
    packet.writeUInt32BE(seq, idOffset + 2)
    return packet
  }
}

/** Reads the sequence number {@link publishEncoder} put in a payload; -1 if it has none. */
export function sequenceOf(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) : -1
}

export interface PublishProgress {
  acked: number
}

/**
 * Publishes `count` QoS 1 messages keeping up to `window` unacknowledged, and resolves once every
 * PUBACK is in. Each PUBACK that arrives releases the next PUBLISH, batched per TCP chunk.
 */
export function publishWindowed(
  socket: PacketSocket,
  topic: string,
  count: number,
  window: number,
  progress: PublishProgress = { acked: 0 },
): Promise<void> {
  const encode = publishEncoder(topic)
  let sent = 0
  const sendNext = (): void => {
    // Packet ids 1..65535, reused once acknowledged [MQTT-2.3.1-1]; window <= 65535 keeps them unique.
    socket.queue(encode((sent % 65_535) + 1, sent))
    sent++
  }
  const done = new Promise<void>((resolve, reject) => {
    const unexpected = (what: string): void => {
      reject(new Error(`${socket.label}: expected puback, got ${what}`))
    }
    socket.onPacket({
      puback: () => {
        progress.acked++
        if (sent < count) sendNext()
        else if (progress.acked === count) resolve()
      },
      publish: () => unexpected('publish'),
      control: (packet) => unexpected(packet.cmd),
    })
  })
  while (sent < Math.min(window, count)) sendNext()
  socket.flush()
  return Promise.race([done, socket.failed])
}
