import { deserialize, serialize } from 'node:v8'
import { copyOutgoing, copyPublish } from '../packet.ts'
import type { OutgoingPacket, StoredPacket, WillPacket } from '../types.ts'

/**
 * Packets are stored as V8 serializations (which keep Buffer and string
 * payloads apart, and the keys beyond MQTT 3.1.1 that aedes may add) of the
 * copies the memory store keeps; `FORMAT_VERSION` (in connect.ts) versions
 * this layout as a whole.
 */

/** A queue entry: the copy `copyOutgoing` gives (its messageId is kept beside it). */
export function encodeOutgoing(packet: OutgoingPacket): Buffer {
  return serialize(copyOutgoing(packet))
}

/** A queue entry with the messageId stored beside it ('' for none). */
export function decodeOutgoing(body: Buffer, messageId: string): OutgoingPacket {
  const packet = deserialize(body) as OutgoingPacket
  if (messageId !== '') packet.messageId = Number(messageId)
  return packet
}

/** An incoming QoS 2 PUBLISH, its messageId kept. */
export function encodeIncoming(packet: StoredPacket): Buffer {
  const copy = copyPublish(packet)
  copy.messageId = packet.messageId
  return serialize(copy)
}

export function decodePublish(body: Buffer): StoredPacket {
  return deserialize(body) as StoredPacket
}

/** Retained packets and Wills keep every key they came with but functions. */
export function encodeAll(packet: StoredPacket | WillPacket): Buffer {
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(packet)) {
    if (typeof value !== 'function') rest[key] = value
  }
  return serialize(rest)
}

export function decodeWill(body: Buffer): WillPacket {
  return deserialize(body) as WillPacket
}

/** The origin key of a packet, `brokerCounter:brokerId`, or '' without a brokerId. */
export function originOf(packet: { brokerId?: string; brokerCounter?: number }): string {
  return packet.brokerId ? `${packet.brokerCounter ?? ''}:${packet.brokerId}` : ''
}
