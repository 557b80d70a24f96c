import type { Client } from 'aedes'
import { withoutAedesDedupe } from './connection.ts'
import {
  type AedesInternals,
  type ClientInternals,
  clientInternals,
  type Persistence,
} from './internals.ts'

/**
 * What aedes 1.2.0 did that aedes 2.0.0-beta.1 no longer does. The beta was
 * branched before 1.2.0's fixes and does not carry them (compare aedes.js,
 * lib/client.js and lib/handlers/{connect,publish,pubrel}.js of the two), so
 * SessionLab puts each back here, at the seam, for every protocol version.
 * Each one is listed in docs/aedes.md and has a test in test/aedes/.
 */

/**
 * Lookups keyed by the client's own text must not find what every object
 * inherits. 1.2.0 made these maps `Object.create(null)` (GHSA-52qw-whmv-87c5);
 * the beta's `{}` lets the ClientID `constructor` find a function in
 * `clients` and throw from `registerClient` (an unhandled rejection: the
 * process exits), and `__proto__` replace the map's prototype.
 */
function withoutPrototype<T>(map: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, map)
}

/** The instance's maps keyed by ClientID and broker id lose their prototype. */
export function guardInstance(aedes: AedesInternals): void {
  aedes.clients = withoutPrototype(aedes.clients)
  // typed read-only (and as Dates; aedes stores Date.now() numbers), written once here
  const writable = aedes as { brokers: Record<string, unknown> }
  writable.brokers = withoutPrototype(writable.brokers)
}

/**
 * The persistence as aedes 2.0.0-beta.1 may call it. Its PUBREL handler
 * (lib/handlers/pubrel.js, `pubrelDelete`) chains `.finally()` on
 * `incomingDelPacket` and catches nothing: two PUBRELs for one packet id in
 * one read both find the packet, the second delete finds none and rejects,
 * and the rejection is unhandled, which exits the process. 1.2.0 answered
 * PUBCOMP either way and swallowed the error; so does this.
 */
export function guardPersistence<P extends Persistence>(persistence: P): P {
  const del = persistence.incomingDelPacket.bind(persistence)
  persistence.incomingDelPacket = (client, packet) => del(client, packet).catch(() => undefined)
  return persistence
}

/**
 * At most this many inbound QoS 2 PUBLISHes of one connection await their
 * PUBREL: 1.2.0's `maxInflightInbound` default. The beta dropped the bound,
 * so a client that keeps sending new packet ids and never PUBRELs grows its
 * incoming store without end. MQTT 3.1.1 cannot tell the client the window,
 * so the connection is closed, as 1.2.0 did.
 */
export const MAX_INBOUND_QOS2 = 1000

/** Packet ids of each connection's inbound QoS 2 PUBLISHes awaiting PUBREL. */
const awaitingPubrel = new WeakMap<Client, Set<number>>()

/**
 * Called as a QoS 2 PUBLISH of a connection is authorized: the error that
 * closes the connection when it is over {@link MAX_INBOUND_QOS2}, else null.
 * A retransmission of a packet id already awaiting PUBREL takes no new slot.
 */
export function inboundQos2Refusal(client: Client, messageId: number | undefined): Error | null {
  const waiting = awaitingPubrel.get(client)
  if (!waiting || messageId === undefined || waiting.has(messageId)) return null
  if (waiting.size >= MAX_INBOUND_QOS2) {
    return new Error(
      `maxInflightInbound exceeded: ${MAX_INBOUND_QOS2} inbound QoS 2 messages already awaiting PUBREL`,
    )
  }
  waiting.add(messageId)
  return null
}

/**
 * An inbound QoS 2 flow the broker ended itself, with a PUBREC whose reason
 * code is 0x80 or more: no PUBREL will come [MQTT-5: 4.3.3], so the packet id
 * frees its slot now.
 */
export function inboundQos2Ended(client: Client, messageId: number): void {
  awaitingPubrel.get(client)?.delete(messageId)
}

/**
 * Each new connection, as aedes creates it (before it reads a byte):
 * prototype-free maps, the inbound QoS 2 window, and the clean session's
 * incoming QoS 2 state wiped as it closes.
 */
export function guardConnection(client: ClientInternals): void {
  client.subscriptions = withoutPrototype(client.subscriptions)
  // SessionLab dedupes by origin itself (connection.ts handedBefore)
  client.duplicates = withoutAedesDedupe()
  const waiting = new Set<number>()
  awaitingPubrel.set(client, waiting)
  client._parser.on('packet', (packet: { cmd: string; messageId?: number }) => {
    if (packet.cmd === 'pubrel' && packet.messageId !== undefined) waiting.delete(packet.messageId)
  })
}

/**
 * [MQTT-3.1.2-6] A clean session ends with its connection, its incoming
 * QoS 2 state too. 1.2.0 wiped it as the connection closed (GHSA-p8r9-qf8w-
 * p73r); the beta leaves it, so a clean client that publishes QoS 2 without
 * PUBREL and never returns leaves its entry in the store for good, and
 * fresh ClientIDs grow the store without bound. (SessionLab's
 * `cleanSubscriptions` already discards the whole earlier session as a clean
 * session connects.)
 */
export function wipeIncomingOfCleanSessions(aedes: AedesInternals): void {
  aedes.on('clientDisconnect', (client: Client) => {
    if (!client.clean) return
    aedes.persistence.cleanIncoming(client).then(
      () => undefined,
      (err: Error) => aedes.emit('error', err),
    )
  })
}

/** All of the above on a new instance, whose `handle` guards each connection. */
export function guardAedes(aedes: AedesInternals): void {
  guardInstance(aedes)
  wipeIncomingOfCleanSessions(aedes)
  const handle = aedes.handle
  aedes.handle = (conn, req) => {
    const client = handle(conn, req)
    guardConnection(clientInternals(client))
    return client
  }
}
