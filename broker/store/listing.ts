import { compareClientIds } from './client-id-order.ts'
import { toQoS } from './packet.ts'
import { payloadBytes } from './queue-tally.ts'
import type {
  IncomingEntry,
  OutgoingEntry,
  OutgoingPacket,
  RetainedEntry,
  RetainedRange,
  StoredPacket,
} from './types.ts'

/**
 * What the stores share to answer `OperatorListStore`: an entry from a
 * packet they hold whole (memory, redis), and topic paging where the store
 * keeps no order of its own.
 */

/** Bytes of a payload a listing carries: enough to preview it, never the whole of a large one. */
export const PAYLOAD_HEAD_BYTES = 64

/** The first {@link PAYLOAD_HEAD_BYTES} bytes of a payload (of its UTF-8 form, for a string). */
export function payloadHead(payload: Buffer | string | null | undefined): Buffer {
  if (payload === null || payload === undefined) return Buffer.alloc(0)
  const bytes =
    typeof payload === 'string'
      ? // each UTF-16 unit is at least one byte, so this many units cover the head (one more
        // keeps a surrogate pair at the edge whole): a long string is never encoded whole
        Buffer.from(payload.slice(0, PAYLOAD_HEAD_BYTES + 1), 'utf8')
      : payload
  return Buffer.from(bytes.subarray(0, PAYLOAD_HEAD_BYTES))
}

/** A queue entry as listed, from the packet a store holds. */
export function outgoingEntryOf(
  seq: number,
  packet: OutgoingPacket,
  queuedAt: number | null,
): OutgoingEntry {
  if (packet.cmd === 'pubrel') return pubrelEntry(seq, packet.messageId ?? null, queuedAt)
  const publish = packet as StoredPacket
  return {
    seq,
    cmd: 'publish',
    messageId: publish.messageId ?? null,
    topic: publish.topic,
    qos: toQoS(publish.qos),
    dup: publish.dup === true,
    retain: publish.retain === true,
    payloadBytes: payloadBytes(publish.payload),
    payloadHead: payloadHead(publish.payload),
    queuedAt,
    ...messageExpiryOf(publish, queuedAt),
  }
}

/**
 * MQTT 5: when a queued message expires. aedes stamps `messageExpiry` on
 * the packets it routes itself; one queued with only its Message Expiry
 * Interval property expires that long after it was queued.
 */
export function messageExpiryOf(
  source: object,
  queuedAt: number | null,
): { messageExpiry?: number } {
  const packet = source as { messageExpiry?: unknown; properties?: unknown }
  if (typeof packet.messageExpiry === 'number') return { messageExpiry: packet.messageExpiry }
  const interval = (packet.properties as { messageExpiryInterval?: unknown } | undefined)
    ?.messageExpiryInterval
  if (typeof interval !== 'number' || interval <= 0 || queuedAt === null) return {}
  return { messageExpiry: queuedAt + interval * 1000 }
}

/** A PUBREL entry: what replaced a QoS 2 PUBLISH after PUBREC keeps no topic or payload. */
export function pubrelEntry(
  seq: number,
  messageId: number | null,
  queuedAt: number | null,
): OutgoingEntry {
  return {
    seq,
    cmd: 'pubrel',
    messageId,
    topic: null,
    qos: 2,
    dup: false,
    retain: null,
    payloadBytes: null,
    payloadHead: null,
    queuedAt,
  }
}

/** An incoming QoS 2 PUBLISH as listed, from the packet a store holds. */
export function incomingEntryOf(packet: StoredPacket): IncomingEntry {
  return {
    messageId: packet.messageId ?? 0,
    topic: packet.topic,
    qos: toQoS(packet.qos),
    dup: packet.dup === true,
    retain: packet.retain === true,
    payloadBytes: payloadBytes(packet.payload),
    payloadHead: payloadHead(packet.payload),
  }
}

/** The first `limit` of a client's incoming packets, in packet id order. */
export function incomingPage(packets: Iterable<StoredPacket>, limit: number): IncomingEntry[] {
  return [...packets]
    .sort((a, b) => (a.messageId ?? 0) - (b.messageId ?? 0))
    .slice(0, limit)
    .map(incomingEntryOf)
}

/** A retained message as listed, from the packet a store holds. */
export function retainedEntryOf(packet: StoredPacket): RetainedEntry {
  return {
    topic: packet.topic,
    qos: toQoS(packet.qos),
    payloadBytes: payloadBytes(packet.payload),
    payloadHead: payloadHead(packet.payload),
  }
}

/**
 * The topics of one page of `range`, in UTF-8 byte order: for a store that
 * keeps retained messages in no order (memory's Map, redis' HASH), so each
 * page costs a pass over every topic.
 */
export function topicsOfPage(topics: Iterable<string>, range: RetainedRange): string[] {
  const { prefix = '', after } = range
  const page: string[] = []
  for (const topic of topics) {
    if (!topic.startsWith(prefix)) continue
    if (after !== undefined && compareClientIds(topic, after) <= 0) continue
    page.push(topic)
  }
  return page.sort(compareClientIds).slice(0, range.limit)
}
