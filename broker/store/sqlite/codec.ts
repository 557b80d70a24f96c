import { deserialize, serialize } from 'node:v8'
import { OPTIONAL_PACKET_KEYS, toQoS } from '../packet.ts'
import type { OutgoingPacket, StoredPacket, WillPacket } from '../types.ts'

/**
 * Packets are stored one column per field, so the hot path never serializes;
 * the rare keys beyond MQTT 3.1.1 go to an `extra` column (v8 serialization,
 * which keeps Buffers), NULL otherwise.
 */

type Payload = Buffer | string

/** A row of `outgoing` or `incoming`, as SELECT * reads it. */
export interface PacketRow {
  broker_id: string | null
  broker_counter: number | null
  message_id: number | null
  cmd: string
  topic: string | null
  payload: Payload | null
  qos: number | null
  retain: number | null
  dup: number | null
  extra: Buffer | null
}

/** The bound values for columns broker_id … extra, in table order. */
export type PacketParams = [
  brokerId: string | null,
  brokerCounter: number | null,
  messageId: number | null,
  cmd: string,
  topic: string | null,
  payload: Payload | null,
  qos: number | null,
  retain: number | null,
  dup: number | null,
  extra: Buffer | null,
]

/** The column values of a packet; a PUBREL has no topic, payload or flags. */
export function packetParams(packet: OutgoingPacket, messageId: number | null): PacketParams {
  const brokerId = packet.brokerId || null
  const brokerCounter = packet.brokerCounter ?? null
  if (packet.cmd === 'pubrel') {
    return [brokerId, brokerCounter, messageId, 'pubrel', null, null, null, null, null, null]
  }
  const publish = packet as StoredPacket
  return [
    brokerId,
    brokerCounter || 0,
    messageId,
    publish.cmd || 'publish',
    publish.topic,
    publish.payload || Buffer.alloc(0),
    publish.qos || 0,
    publish.retain ? 1 : 0,
    publish.dup ? 1 : 0,
    extraOf(publish, OPTIONAL_PACKET_KEYS),
  ]
}

/** {@link PacketParams} as read back, possibly followed by more selected columns. */
type PacketColumns = readonly [...PacketParams, ...unknown[]]

/** The column names of {@link PacketParams}, in that order, for SELECTs read as tuples. */
export const PACKET_COLUMNS =
  'broker_id, broker_counter, message_id, cmd, topic, payload, qos, retain, dup, extra'

/**
 * The packet a row holds, in the shape `copyPublish` / `copyPubrel` give,
 * from its columns in {@link PACKET_COLUMNS} order: a raw (array) read
 * costs half of an object per row, which a resume pays per queued message.
 */
export function packetFromColumns(columns: PacketColumns): OutgoingPacket {
  const [brokerId, brokerCounter, messageId, cmd] = columns
  if (cmd === 'pubrel') {
    const pubrel: OutgoingPacket = { cmd: 'pubrel', messageId: messageId ?? 0 }
    if (brokerId !== null) pubrel.brokerId = brokerId
    if (brokerCounter !== null) pubrel.brokerCounter = brokerCounter
    return pubrel
  }
  return publishFromColumns(columns)
}

function publishFromColumns(columns: PacketColumns): StoredPacket {
  const [brokerId, brokerCounter, messageId, cmd, topic, payload, qos, retain, dup, extra] = columns
  const packet: StoredPacket = {
    cmd,
    brokerId: brokerId ?? undefined,
    brokerCounter: brokerCounter ?? 0,
    topic: topic ?? '',
    payload: payload ?? Buffer.alloc(0),
    qos: toQoS(qos ?? 0),
    retain: retain === 1,
    dup: dup === 1,
  }
  if (extra !== null) Object.assign(packet, deserialize(extra))
  if (packet.qos > 0 || cmd !== 'publish' || messageId !== null) {
    packet.messageId = messageId ?? undefined
  }
  return packet
}

function columnsOf(row: PacketRow): PacketParams {
  return [
    row.broker_id,
    row.broker_counter,
    row.message_id,
    row.cmd,
    row.topic,
    row.payload,
    row.qos,
    row.retain,
    row.dup,
    row.extra,
  ]
}

/** {@link packetFromColumns} for a row read as an object (`SELECT *`). */
export function packetFromRow(row: PacketRow): OutgoingPacket {
  return packetFromColumns(columnsOf(row))
}

export function publishFromRow(row: PacketRow): StoredPacket {
  return publishFromColumns(columnsOf(row))
}

/** A `wills` row. */
export interface WillRow {
  client_id: string
  broker_id: string | null
  topic: string
  payload: Payload
  qos: number
  retain: number
  extra: Buffer | null
}

const WILL_KEYS = new Set(['topic', 'payload', 'qos', 'retain', 'brokerId', 'clientId'])

export function willParams(
  clientId: string,
  will: WillPacket,
): [string, string | null, string, Payload, number, number, Buffer | null] {
  const extraKeys = Object.keys(will).filter((key) => !WILL_KEYS.has(key))
  return [
    clientId,
    will.brokerId ?? null,
    will.topic,
    will.payload ?? Buffer.alloc(0),
    will.qos || 0,
    will.retain ? 1 : 0,
    extraOf(will, extraKeys),
  ]
}

export function willFromRow(row: WillRow): WillPacket {
  const will: WillPacket = {
    topic: row.topic,
    payload: row.payload,
    qos: toQoS(row.qos),
    retain: row.retain === 1,
    brokerId: row.broker_id ?? undefined,
    clientId: row.client_id,
  }
  if (row.extra !== null) Object.assign(will, deserialize(row.extra))
  return will
}

/**
 * Retained packets keep every key they came with (aedes' contract suite
 * stores arbitrary objects): all but topic and payload are serialized.
 */
export function retainedRest(packet: StoredPacket): Buffer {
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(packet)) {
    if (key !== 'topic' && key !== 'payload' && typeof value !== 'function') rest[key] = value
  }
  return serialize(rest)
}

export function retainedFromRow(row: {
  topic: string
  payload: Payload
  rest: Buffer
}): StoredPacket {
  const packet = deserialize(row.rest) as StoredPacket
  packet.topic = row.topic
  packet.payload = row.payload
  return packet
}

function extraOf(source: Record<string, unknown>, keys: readonly string[]): Buffer | null {
  let extra: Record<string, unknown> | null = null
  for (const key of keys) {
    if (!Object.hasOwn(source, key)) continue
    extra ??= {}
    extra[key] = source[key]
  }
  return extra === null ? null : serialize(extra)
}
