import type { Aedes, Client } from 'aedes'
import type { MQEmitter } from 'mqemitter'

/**
 * The parts of an aedes 1.2 Client that SessionLab reaches into to close the
 * spec gaps at aedes' seams (see README "How the session rules are enforced" and
 * shared/docs/aedes-notes.md). They are not in aedes' typings; each use is
 * pinned by an integration test, so an aedes upgrade that moves them fails
 * loudly rather than silently.
 */
export interface AedesClientInternals extends Client {
  broker: AedesInternals
  /** The CONNECT's Will while connected; `close()` publishes it unless DISCONNECT came. */
  will: WillPacket | null
  _will: WillPacket | null
  /** mqtt-packet's parser for this connection; aedes listens to its 'packet' events. */
  _parser: import('node:events').EventEmitter
  /** Set when a DISCONNECT packet was received [MQTT-3.14.4-3]. */
  _disconnected: boolean
  /** Topic filter -> granted subscription of this connection. */
  subscriptions: Record<string, { qos: number }>
  /** Per-subscription delivery functions, called by mqemitter for each matching message. */
  deliver0: Deliver
  deliverQoS: Deliver
}

export type Deliver = (packet: DeliveryPacket, done: () => void) => void

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
}

export interface WillPacket {
  topic: string
  payload: Buffer
  qos: number
  retain: boolean
  [key: string]: unknown
}

/** An aedes instance as SessionLab sees it: with its live clients by ClientID. */
export interface AedesInternals extends Aedes {
  clients: Record<string, AedesClientInternals>
  counter: number
  /** The message router: in-process, or mqemitter-redis between cluster nodes. */
  mq: MQEmitter
  persistence: { delWill(client: { id: string; brokerId?: string }): Promise<unknown> }
}

export function internals(client: Client): AedesClientInternals {
  return client as AedesClientInternals
}

/**
 * Takes the next packet id from a connection's own sequence, exactly as
 * aedes' QoSPacket does (lib/qos-packet.js), skipping ids `inUse` says are
 * taken, so ids SessionLab assigns never collide with the ones aedes assigns.
 */
export function takePacketId(
  client: { _nextId: number },
  inUse: (id: number) => boolean = () => false,
): number {
  let id = client._nextId
  while (inUse(id)) id = id >= 65535 ? 1 : id + 1
  client._nextId = id >= 65535 ? 1 : id + 1
  return id
}
