import type { IncomingMessage } from 'node:http'
import type { Aedes, AedesPublishPacket, Client } from 'aedes'
import { clientInternals, type Deliver, type DeliveryPacket, type Will } from './internals.ts'

/**
 * Named operations on one aedes connection (an aedes `Client`): everything
 * SessionLab reads or changes of it beyond aedes' typings goes through here.
 */

export type { Client, Deliver, DeliveryPacket, Will }

/** An incoming packet as mqtt-packet's parser emits it. */
export interface IncomingPacket {
  cmd: string
  messageId?: number
  subscriptions?: { topic: string; qos: number }[]
  unsubscriptions?: string[]
}

/**
 * Calls `listener` with every packet parsed from the connection. With
 * `first`, before aedes handles it (aedes listens to the same parser).
 */
export function onIncomingPacket(
  client: Client,
  listener: (packet: IncomingPacket) => void,
  options: { first?: boolean } = {},
): void {
  const parser = clientInternals(client)._parser
  if (options.first) parser.prependListener('packet', listener)
  else parser.on('packet', listener)
}

/** Calls `listener` when the connection's bytes fail to parse, before aedes reports the error. */
export function onParseError(client: Client, listener: () => void): void {
  clientInternals(client)._parser.prependListener('error', listener)
}

/**
 * Puts `accept` in front of the parser: bytes it refuses are not parsed, and
 * the parser fails with `reason` (a protocol error that closes the connection).
 */
export function guardIncomingBytes(
  client: Client,
  accept: (chunk: Buffer) => boolean,
  reason: string,
): void {
  const parser = clientInternals(client)._parser
  const parse = parser.parse.bind(parser)
  parser.parse = (chunk: Buffer) => {
    if (accept(chunk)) return parse(chunk)
    parser.emit('error', new Error(reason))
    return 0
  }
}

/** The aedes instance a connection belongs to. */
export function brokerOf(client: Client): Aedes {
  return clientInternals(client).broker
}

/** The other live connection that holds this connection's ClientID, if any. */
export function otherHolderOf(client: Client): Client | undefined {
  const live = clientInternals(client).broker.clients[client.id]
  return live && live !== client ? live : undefined
}

/** The Will of an accepted connection: published if it closes without DISCONNECT. */
export function willOf(client: Client): Will | null {
  return clientInternals(client).will ?? null
}

/** The Will a CONNECT carries, readable before aedes accepts the connection. */
export function requestedWillOf(client: Client): Will | null {
  return clientInternals(client)._will ?? null
}

/**
 * Whether `packet` is the connection's Will on its way out: as aedes closes a
 * connection without DISCONNECT it hands its Will object itself to
 * `authorizePublish` and clears the field only afterwards (lib/client.js, `close`).
 */
export function isItsWill(client: Client, packet: object): boolean {
  return client.closed && clientInternals(client).will === packet
}

/** The connection closes without publishing its Will (aedes reads both fields as it closes). */
export function dropWill(client: Client): void {
  const c = clientInternals(client)
  c.will = null
  c._will = null
}

/** Whether the client sent DISCONNECT [MQTT-3.14.4-3]. */
export function sentDisconnect(client: Client): boolean {
  return clientInternals(client)._disconnected === true
}

/** Whether this is a connection aedes made (stores are also handed plain `{ id }` refs). */
export function isAedesConnection(client: object): client is Client {
  return typeof (client as { _nextId?: unknown })._nextId === 'number'
}

/**
 * Takes the next packet id from a connection's own sequence, exactly as
 * aedes' QoSPacket does (lib/qos-packet.js), skipping ids `inUse` says are
 * taken, so ids SessionLab assigns never collide with the ones aedes assigns.
 */
export function nextPacketId(client: Client, inUse: (id: number) => boolean = () => false): number {
  const c = clientInternals(client)
  let id = c._nextId
  while (inUse(id)) id = id >= 65535 ? 1 : id + 1
  c._nextId = id >= 65535 ? 1 : id + 1
  return id
}

/** Topic filter -> granted QoS of this connection's subscriptions. */
export function grantedSubscriptions(client: Client): Readonly<Record<string, { qos: number }>> {
  return clientInternals(client).subscriptions
}

/** Whether aedes' per-connection dedupe (client.js `dedupe`) has seen this message. */
export function seenBefore(client: Client, packet: DeliveryPacket): boolean {
  const id = packet.brokerId
  if (!id) return false
  const seen = clientInternals(client).duplicates[id]
  return seen !== undefined && seen >= (packet.brokerCounter ?? 0)
}

/** aedes' `dedupe`: records the message, false when this connection already got it. */
export function firstSeen(client: Client, packet: DeliveryPacket): boolean {
  const id = packet.brokerId
  if (!id) return true
  const duplicates = clientInternals(client).duplicates
  const counter = packet.brokerCounter ?? 0
  if ((duplicates[id] ?? 0) >= counter) return false
  duplicates[id] = counter
  return true
}

/** The broker's `authorizeForward` for this connection: the packet to write, or null to skip. */
export function forwardFilter(client: Client, packet: DeliveryPacket): DeliveryPacket | null {
  const forward = clientInternals(client).broker.authorizeForward
  if (!forward) return packet
  // aedes' typings give the hook its own packet type; aedes passes the routed packet as is
  return (forward(client, packet as unknown as AedesPublishPacket) as DeliveryPacket | null) ?? null
}

/** aedes' two delivery functions of a connection, called by the router per matching message. */
export interface Delivery {
  qos0: Deliver
  qos: Deliver
}

/**
 * Replaces a connection's delivery functions; `make` gets aedes' own. Called
 * before any of its subscriptions exist (aedes binds them at SUBSCRIBE).
 */
export function replaceDelivery(client: Client, make: (aedes: Delivery) => Delivery): void {
  const c = clientInternals(client)
  const next = make({ qos0: c.deliver0, qos: c.deliverQoS })
  c.deliver0 = next.qos0
  c.deliverQoS = next.qos
}

/** `host:port` of the peer: the connection's socket, or the WebSocket's HTTP request's. */
export function peerAddress(client: Client): string | null {
  const conn = client.conn as { remoteAddress?: string; remotePort?: number }
  const req: IncomingMessage | undefined = client.req
  const socket = conn.remoteAddress ? conn : req?.socket
  const address = socket?.remoteAddress
  if (!address) return null
  const host = address.includes(':') ? `[${address}]` : address
  return socket.remotePort === undefined ? host : `${host}:${socket.remotePort}`
}

/** Whether a packet written now would reach the client. */
export function isWritable(client: Client): boolean {
  return (client.connecting || client.connected) && !client.closed && !client.conn.destroyed
}

/**
 * Runs `deliver` with aedes' dedupe told that `packet` is new, then restores
 * it. aedes' dedupe is shared with QoS 0 deliveries, which never wait: one
 * sent meanwhile would make it discard an older QoS 1/2 message that waited
 * for a slot of the in-flight window (broker/policies/inflight.ts).
 */
export function deliverPastDedupe(client: Client, packet: DeliveryPacket, deliver: () => void) {
  const id = packet.brokerId
  if (!id) {
    deliver()
    return
  }
  const duplicates = clientInternals(client).duplicates
  const before = duplicates[id] ?? 0
  duplicates[id] = (packet.brokerCounter ?? 0) - 1
  deliver()
  duplicates[id] = Math.max(before, duplicates[id] ?? 0)
}
