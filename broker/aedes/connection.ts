import type { IncomingMessage } from 'node:http'
import type { Aedes, AedesPublishPacket, Client } from 'aedes'
import mqtt, { type IPublishPacket } from 'mqtt-packet'
import {
  clientInternals,
  type Deliver,
  type DeliveryPacket,
  type Parser,
  type Will,
} from './internals.ts'
import { type WireVersion, writerOf } from './writer.ts'

/**
 * Named operations on one aedes connection (an aedes `Client`): everything
 * SessionLab reads or changes of it beyond aedes' typings goes through here.
 */

export type { Client, Deliver, DeliveryPacket, Will, WireVersion }

/** An incoming packet as mqtt-packet's parser emits it. */
export interface IncomingPacket {
  cmd: string
  messageId?: number
  /** MQTT 5: DISCONNECT's reason code [MQTT-3.14.2.1]. */
  reasonCode?: number
  properties?: { sessionExpiryInterval?: number }
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

/** A packet as the parser completed it, before aedes sees it. */
export interface ParsedPacket extends IncomingPacket {
  /** The Remaining Length [MQTT-2.2.3]. */
  length: number
  [field: string]: unknown
}

/**
 * Checks every packet the connection's parser completes, before aedes (or
 * anyone) sees it. `read` is how many bytes of the Remaining Length the
 * parser read: fewer than `packet.length` means bytes it never looked at. A
 * reason returned fails the parse with it, so aedes closes the connection
 * as for any malformed packet [MQTT-4.8.0-1] (publishing its Will, if it was
 * accepted), and the bytes after it are not parsed.
 */
export function checkIncomingPackets(
  client: Client,
  check: (packet: ParsedPacket, read: number) => string | null,
): void {
  const parser = clientInternals(client)._parser
  const emit = parser.emit.bind(parser)
  parser.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'packet') {
      const reason = check(args[0] as ParsedPacket, parser._pos)
      if (reason !== null) {
        parser._emitError(new Error(reason))
        return true
      }
    }
    return emit(event, ...args)
  }
  failOnce(parser)
}

/**
 * Checks every UTF-8 string field the parser reads (topics, filters,
 * ClientID, Will topic, user name; MQTT 5 string properties), with its
 * bytes: mqtt-packet decodes them with replacement characters, so ill-formed
 * bytes are seen only here. `bytes` copies them out of the parser's buffer,
 * which a check of plain ASCII need not ask for. A reason returned fails
 * the parse with it (see {@link checkIncomingPackets}).
 */
export function checkIncomingStrings(
  client: Client,
  check: (text: string, bytes: () => Buffer, cmd: string | undefined) => string | null,
): void {
  const parser = clientInternals(client)._parser
  const parseString = parser._parseString.bind(parser)
  parser._parseString = () => {
    const start = parser._pos
    const text = parseString()
    if (text === null) return null
    // the string's bytes follow its 2-byte length
    const bytes = () => parser._list.slice(start + 2, parser._pos)
    const reason = check(text, bytes, parser.packet.cmd)
    if (reason === null) return text
    parser._emitError(new Error(reason))
    return null
  }
  failOnce(parser)
}

/** What a CONNECT that failed to parse had shown of itself. */
export interface PartialConnect {
  protocolId: string | undefined
  protocolVersion: number | undefined
}

/**
 * Calls `listener` when a CONNECT fails to parse, before aedes closes the
 * connection, with the parser's reason and what it had read: a rule may
 * still write its answer (the connection's writer sends what it holds
 * before the transport goes, broker/aedes/writer.ts).
 */
export function onConnectParseError(
  client: Client,
  listener: (reason: string, connect: PartialConnect) => void,
): void {
  const parser = clientInternals(client)._parser
  parser.prependListener('error', (err: Error) => {
    const packet = parser.packet
    if (packet.cmd !== 'connect') return
    listener(err.message, {
      protocolId: packet.protocolId,
      protocolVersion: packet.protocolVersion,
    })
  })
}

/**
 * The first failure of a packet is its reason: mqtt-packet's own report
 * that follows a check's ("Cannot parse topic" after a refused string) is
 * dropped, so the connection fails once, with the check's reason.
 */
function failOnce(parser: Parser): void {
  const marked = parser as Parser & { [FAIL_ONCE]?: true }
  if (marked[FAIL_ONCE]) return
  marked[FAIL_ONCE] = true
  const emitError = parser._emitError.bind(parser)
  parser._emitError = (err: Error) => {
    if (parser.error) return
    emitError(err)
  }
}

const FAIL_ONCE = Symbol('failOnce')

/**
 * Marks a CONNECT's protocol level as one the broker does not speak: the
 * refusing CONNACK is then written in the 3.1.1 form (broker/aedes/stages.ts),
 * and aedes, should it see the packet, refuses level 0 with CONNACK 0x01 too
 * (lib/handlers/connect.js `init`). Call from a connect stage's `refuse`.
 */
export function refuseProtocolVersion(packet: { protocolVersion?: number }): void {
  ;(packet as { protocolVersion: number }).protocolVersion = 0
}

/**
 * MQTT 5: the keepalive the connection runs on instead of the one it asked
 * for, told to it in CONNACK as Server Keep Alive [MQTT-3.2.2-21]. aedes
 * sets the same field from its own `keepaliveLimit` in `init`, which
 * SessionLab leaves unset (for 3.1.1 it answers CONNACK 6, which 3.1.1 does
 * not have); its `setKeepAlive` and `doConnack` read it. Call before `init`
 * (a connect stage's `read`).
 */
export function imposeServerKeepAlive(client: Client, seconds: number): void {
  clientInternals(client)._serverKeepAlive = seconds
}

/** The protocol level the connection's packets are encoded in: 5 for MQTT 5, else 4 (3.1's PUBLISH is 3.1.1's). */
export function wireVersionOf(client: Client): WireVersion {
  return clientInternals(client)._wireVersion === 5 ? 5 : 4
}

/**
 * MQTT 5: the Session Expiry Interval the connection's CONNECT asked for
 * (before `--max-session-expiry`); null for 3.1.1.
 */
export function requestedSessionExpiry(client: Client): number | null {
  if (client.version !== 5) return null
  return clientInternals(client)._connectSessionExpiryInterval ?? 0
}

/**
 * MQTT 5: answers a client's DISCONNECT that is a protocol error with a
 * server DISCONNECT of `reasonCode` [MQTT-4.13.1-1], and makes aedes, which
 * reads the same packet next, close the connection as on any protocol error:
 * the Will is kept and published (it reads reason 0x04, "with Will"), and
 * the packet changes nothing else. Call before aedes sees the packet
 * (`onIncomingPacket` with `first`); the DISCONNECT leaves before aedes
 * destroys the connection (the writer sends what the turn holds first).
 */
export function refuseDisconnect(client: Client, packet: IncomingPacket, reasonCode: number): void {
  sendServerDisconnect(client, reasonCode)
  packet.reasonCode = DISCONNECT_WITH_WILL
  if (packet.properties) packet.properties.sessionExpiryInterval = undefined
}

/**
 * MQTT 5: tells a connected client why the server closes its connection, a
 * DISCONNECT with `reasonCode` [MQTT-3.14.2-1] written through its writer
 * at once (the caller closes it next; the writer sends what the turn holds
 * before the transport goes). aedes' own `client.disconnect()` waits for its
 * write to complete before closing, which a client that stopped reading never
 * lets happen. Recorded as aedes records its own (`disconnectReasonCode`).
 * Nothing for 3.1.1, which has no server DISCONNECT.
 */
export function sendServerDisconnect(client: Client, reasonCode: number): void {
  // after CONNACK [MQTT-3.2.0-1]; `connected` comes only once a resumed queue is out
  if (client.version !== 5 || !connackSent(client) || client.closed) return
  const c = clientInternals(client)
  if (c.disconnectReasonCode !== null) return // aedes or an earlier rule already said why
  c.disconnectReasonCode = reasonCode
  writerOf(client)?.writePacket({ cmd: 'disconnect', reasonCode }, 5)
}

/** Whether the CONNACK accepting the connection has been written. */
function connackSent(client: Client): boolean {
  return clientInternals(client).connackSent === true
}

/** MQTT 5 DISCONNECT reason 0x04: the Will is published [MQTT-3.14.2.1]. */
export const DISCONNECT_WITH_WILL = 0x04

/**
 * MQTT 5: the PUBLISHes written to the connection from now on get Topic
 * Aliases, 1 up to `maximum`, the client's Topic Alias Maximum; a PUBLISH
 * the alias would take over `maximumPacketSize` (0: none) goes without one.
 * Decided as the bytes leave its writer (broker/aedes/topic-aliases.ts).
 */
export function assignTopicAliases(client: Client, maximum: number, maximumPacketSize = 0): void {
  writerOf(client)?.assignTopicAliases(maximum, maximumPacketSize)
}

/** MQTT 3.1: the CONNACK's session-present byte is reserved, sent as 0 (see ConnectionWriter). */
export function reserveConnackFlags(client: Client): void {
  writerOf(client)?.reserveConnackFlags()
}

/**
 * Writes bytes to the connection as they are, ahead of whatever aedes writes
 * next: an answer aedes has no packet for (a CONNACK to a CONNECT it could
 * not parse). Sent even if aedes closes the connection in the same turn.
 */
export function writeBytes(client: Client, bytes: Buffer): void {
  writerOf(client)?.write(bytes)
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

/**
 * MQTT 5: whether a PUBLISH of `packet` is larger than the Maximum Packet
 * Size the client's CONNECT set [MQTT-3.1.2-24], encoded as it would be sent
 * (a packet id for QoS 1/2, the properties). Only encoded for a client that
 * set one: most do not.
 */
export function tooLargeFor(
  client: Client,
  packet: {
    topic: string
    payload: Buffer | string
    qos: number
    retain: boolean
    properties?: unknown
  },
): boolean {
  const maximum = client.maximumPacketSize
  if (client.version !== 5 || !maximum) return false
  // the fixed header and topic alone: no need to encode what cannot fit
  const payloadBytes =
    typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length
  if (payloadBytes >= maximum) return true
  const publish = {
    cmd: 'publish' as const,
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos as 0 | 1 | 2,
    retain: packet.retain,
    dup: false,
    ...(packet.qos > 0 ? { messageId: 1 } : {}),
    ...(packet.properties ? { properties: packet.properties as IPublishPacket['properties'] } : {}),
  }
  return mqtt.generate(publish, { protocolVersion: 5 }).length > maximum
}

/**
 * MQTT 5: how long the connection's Will waits after the connection closes,
 * in seconds: its Will Delay Interval, cut to the session's end [MQTT-3.1.3-9]
 * (as aedes' client.js `close` computes it); 0 for 3.1.1.
 */
export function willDelayOf(client: Client, will: Will): number {
  if (client.version !== 5) return 0
  const properties = will.properties as { willDelayInterval?: number } | undefined
  return Math.min(properties?.willDelayInterval ?? 0, client.sessionExpiryInterval)
}

/**
 * MQTT 5: the reason code of the DISCONNECT the server sent before closing
 * the connection (aedes' or SessionLab's, recorded as lib/client.js does),
 * null when none was sent (always for 3.1.1).
 */
export function serverDisconnectCodeOf(client: Client): number | null {
  return clientInternals(client).disconnectReasonCode ?? null
}

/** A subscription of a connection with its MQTT 5 options, as aedes granted it. */
export interface GrantedSubscription {
  topic: string
  qos: number
  /** Retain Handling, Retain As Published, No Local [MQTT-3.8.3.1]; absent for 3.1.1. */
  rh?: number
  rap?: boolean
  nl?: boolean
  subscriptionIdentifier?: number
}

/** This connection's subscriptions with their options (lib/handlers/subscribe.js `Subscription`). */
export function grantedSubscriptionOptions(client: Client): GrantedSubscription[] {
  const subs = clientInternals(client).subscriptions as Record<
    string,
    { qos: number; rh?: number; rap?: boolean; nl?: boolean; si?: number }
  >
  return Object.keys(subs).map((topic) => {
    const { qos, rh, rap, nl, si } = subs[topic]
    return { topic, qos, rh, rap, nl, subscriptionIdentifier: si }
  })
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

/** The origin of the routed message a connection was last handed. */
interface Handed {
  brokerId: string | undefined
  counter: number | undefined
}
const lastHanded = new WeakMap<Client, Handed>()

/**
 * Whether this connection was handed this routed message before, by its
 * origin (brokerId:brokerCounter). One message reaches a connection live
 * more than once only when several of its subscriptions match: the router
 * then hands it one copy per subscription, one after the other in one
 * dispatch, so the last origin handed is all there is to compare (a
 * resume's queued copies are claimed apart, broker/rules/resume-claims.ts).
 * Records the message as handed.
 *
 * aedes' own dedupe (client.js `dedupe`) keeps the highest brokerCounter
 * per broker instead, which assumes messages reach the router in the order
 * their counters were taken. They do not: SessionLab takes a QoS 1/2
 * message's counter as it commits it, and aedes routes it only once its
 * PUBACK is written, which waits for the publisher's socket to drain, so
 * two publishers' messages could reach the router in the other order, and
 * the older one was then dropped as a duplicate for every subscriber, after
 * its PUBACK. aedes' map is emptied for good ({@link withoutAedesDedupe}).
 */
export function handedBefore(client: Client, packet: DeliveryPacket): boolean {
  const last = lastHanded.get(client)
  if (packet.brokerId === undefined || packet.brokerCounter === undefined) return false
  if (last === undefined) {
    lastHanded.set(client, { brokerId: packet.brokerId, counter: packet.brokerCounter })
    return false
  }
  if (last.brokerId === packet.brokerId && last.counter === packet.brokerCounter) return true
  last.brokerId = packet.brokerId
  last.counter = packet.brokerCounter
  return false
}

/**
 * aedes' per-connection `duplicates` map, replaced: it keeps nothing and
 * every message is new to it; {@link handedBefore} decides instead.
 */
export function withoutAedesDedupe(): Record<string, number> {
  return new Proxy(Object.create(null) as Record<string, number>, {
    get: () => undefined,
    set: () => true,
  })
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
