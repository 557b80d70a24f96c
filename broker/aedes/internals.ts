import type { EventEmitter } from 'node:events'
import type { Aedes, Client } from 'aedes'
import type { MQEmitter } from 'mqemitter'
import type { IPublishPacket } from 'mqtt-packet'

/**
 * The parts of aedes 2.0.0-beta.1 that are not in its typings and that SessionLab
 * needs to close the spec gaps at aedes' seams (see docs/session-rules.md).
 * Only the files of broker/aedes/ import this module: the rest of SessionLab
 * uses the named operations of broker/aedes/connection.ts and instance.ts,
 * so upgrading aedes is a change to this folder alone.
 * test/aedes/only-the-seam-reaches-into-aedes.test.ts keeps it so.
 */

/**
 * Private fields of aedes (lib/client.js, aedes.js) whose names cannot be
 * mistaken for anything else. Besides these, the seam reaches `will`,
 * `subscriptions`, `duplicates`, `broker`, `clients`, `brokers`, `counter`, `mq`,
 * `persistence`, and mqtt-packet's parser's `packet`, `error`, `_pos` and `_list`, which are not
 * in aedes' typings either: outside this folder the type checker refuses
 * them, and the seam test refuses the casts that would get around it.
 */
export const AEDES_PRIVATE_FIELDS = [
  '_parser',
  '_nextId',
  '_will',
  '_disconnected',
  '_clearWillInterval',
  'deliver0',
  'deliverQoS',
  '_parseString',
  '_emitError',
  '_serverKeepAlive',
  '_wireVersion',
  '_takingOver',
  '_connectSessionExpiryInterval',
] as const

export interface ClientInternals extends Client {
  broker: AedesInternals
  /** Set as `close()` starts; the connection stays registered until its close ends. */
  closed: boolean
  /** The CONNECT's Will while connected; `close()` publishes it unless DISCONNECT came. */
  will: Will | null
  /** The Will as read from CONNECT, before aedes accepts the connection. */
  _will: Will | null
  /** mqtt-packet's parser for this connection; aedes listens to its 'packet' events. */
  _parser: Parser
  /** Set when a DISCONNECT packet was received [MQTT-3.14.4-3]. */
  _disconnected: boolean
  /** MQTT 5 Server Keep Alive: the keepalive imposed, told in CONNACK (lib/handlers/connect.js). */
  _serverKeepAlive?: number
  /** The protocol level packets are encoded with (3, 4 or 5), set by aedes at CONNECT. */
  _wireVersion: number | null
  /** Set once the CONNACK has been written (lib/handlers/connect.js `doConnack`). */
  connackSent: boolean
  /** MQTT 5: the reason code of the server's DISCONNECT, once one is sent (lib/client.js). */
  disconnectReasonCode: number | null
  /** MQTT 5: the Session Expiry Interval the CONNECT asked for, before the broker's maximum. */
  _connectSessionExpiryInterval?: number
  /** Clears the packet ids of the session's queued messages in the store (lib/client.js). */
  emptyOutgoingQueue(done: (err?: Error | null) => void): void
  /** The next packet id aedes' QoSPacket takes (lib/qos-packet.js). */
  _nextId: number
  /** Topic filter -> granted subscription of this connection. */
  subscriptions: Record<string, { qos: number }>
  /** brokerId -> highest brokerCounter delivered: aedes' per-connection dedupe (client.js). */
  duplicates: Record<string, number>
  /** Per-subscription delivery functions, called by mqemitter for each matching message. */
  deliver0: Deliver
  deliverQoS: Deliver
}

export interface Parser extends EventEmitter {
  parse(buf: Buffer): number
  /** The packet being parsed (mqtt-packet's Packet): its fields so far. */
  packet: { cmd?: string; length: number; protocolId?: string; protocolVersion?: number }
  /** Set once parsing failed; parse() stops at it. */
  error: Error | null
  /** Bytes of the packet's Remaining Length read so far. */
  _pos: number
  /** The bytes received and not yet consumed (a BufferList). */
  _list: { slice(start: number, end: number): Buffer }
  /** Reads a UTF-8 string (2-byte length, bytes) at `_pos`, decoded with replacement; null when short. */
  _parseString(): string | null
  /** Fails the parse: sets `error` and emits 'error'. */
  _emitError(err: Error): void
}

/** An aedes instance with what it keeps beyond its typings. */
export interface AedesInternals extends Aedes {
  clients: Record<string, ClientInternals>
  /** The last message counter taken (aedes.js), part of each message's origin. */
  counter: number
  /** The message router: in-process, or mqemitter-redis between cluster nodes. */
  mq: MQEmitter
  persistence: Persistence
  _clearWillInterval?: NodeJS.Timeout
  /** MQTT 5: called as a connection closes, to keep, end or time its session (aedes.js). */
  scheduleSessionExpiry(client: ClientInternals): void
  /** MQTT 5: called as a connection closes with a Will Delay Interval, to time its Will (aedes.js). */
  scheduleWill(client: ClientInternals, will: Will, delaySeconds: number): void
  /** ClientIDs being taken over: the old connection's close leaves the session alone. */
  _takingOver: Set<string>
}

/** What of the persistence SessionLab reaches through aedes (aedes-persistence's interface). */
export interface Persistence {
  delWill(client: { id: string; brokerId?: string }): Promise<unknown>
  cleanSubscriptions(client: { id: string }): Promise<unknown>
  cleanIncoming(client: { id: string }): Promise<void>
  incomingDelPacket(client: { id: string }, packet: { messageId?: number }): Promise<void>
}

export type Deliver = (packet: DeliveryPacket, done: () => void) => void

/** A message as aedes routes it to a connection's delivery functions. */
export interface DeliveryPacket {
  cmd: string
  topic: string
  payload: Buffer
  qos: number
  retain: boolean
  dup?: boolean
  brokerId?: string
  brokerCounter?: number
  messageId?: number
  /** MQTT 5 PUBLISH properties as published (aedes-packet keeps them); not encoded for 3.1.1. */
  properties?: PublishProperties
  /** Set by SessionLab's no-local marker (aedes Packet). */
  nl?: boolean
  clientId?: string
}

/** mqtt-packet's PUBLISH properties. */
export type PublishProperties = NonNullable<IPublishPacket['properties']>

export interface Will {
  topic: string
  payload: Buffer
  qos: number
  retain: boolean
  [key: string]: unknown
}

export function clientInternals(client: Client): ClientInternals {
  return client as ClientInternals
}

export function aedesInternals(aedes: Aedes): AedesInternals {
  return aedes as AedesInternals
}
