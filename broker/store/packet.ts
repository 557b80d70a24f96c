import type { OutgoingPacket, PubrelPacket, QoS, StoredPacket } from './types.ts'

/**
 * The keys aedes-packet copies only when the original has them (MQTT 5 and
 * aedes internals). Our stores keep them so a packet round-trips like it does
 * through aedes' own memory store; 3.1.1 traffic never carries them.
 */
export const OPTIONAL_PACKET_KEYS = ['clientId', 'nl', 'properties', 'messageExpiry'] as const

/**
 * Copies a PUBLISH into the shape aedes-packet's `new Packet(original)` gives
 * (aedes' memory store queues such copies): the fixed keys always present,
 * `messageId` present (maybe undefined) whenever a packet identifier applies
 * [MQTT-2.3.1-5], and nothing else of the original (no `length`, no callbacks).
 */
export function copyPublish(original: StoredPacket): StoredPacket {
  const packet: StoredPacket = {
    cmd: original.cmd || 'publish',
    brokerId: original.brokerId || undefined,
    brokerCounter: original.brokerCounter || 0,
    topic: original.topic,
    payload: original.payload || Buffer.alloc(0),
    qos: original.qos || 0,
    retain: original.retain || false,
    dup: original.dup || false,
  }
  for (const key of OPTIONAL_PACKET_KEYS) {
    if (Object.hasOwn(original, key)) (packet as Record<string, unknown>)[key] = original[key]
  }
  if (packet.qos > 0 || packet.cmd !== 'publish') packet.messageId = undefined
  return packet
}

/** A PUBREL keeps only what identifies it: its packet identifier and origin. */
export function copyPubrel(original: PubrelPacket): PubrelPacket {
  const packet: PubrelPacket = { cmd: 'pubrel', messageId: original.messageId }
  if (original.brokerId != null) packet.brokerId = original.brokerId
  if (original.brokerCounter != null) packet.brokerCounter = original.brokerCounter
  return packet
}

export function isPubrel(packet: OutgoingPacket): packet is PubrelPacket {
  return packet.cmd === 'pubrel'
}

/**
 * The queue entry `outgoingUpdate` puts in place of a matched entry: aedes'
 * memory store puts the very packet it was given (a QoSPacket with a write
 * callback, say); we keep a copy of what matters.
 */
export function copyOutgoing(packet: OutgoingPacket): OutgoingPacket {
  if (isPubrel(packet)) return copyPubrel(packet)
  const copy = copyPublish(packet)
  if (copy.messageId === undefined && packet.messageId !== undefined) {
    copy.messageId = packet.messageId
  }
  return copy
}

/** The QoS a stored number stands for. */
export function toQoS(value: number): QoS {
  return value === 2 ? 2 : value === 1 ? 1 : 0
}
