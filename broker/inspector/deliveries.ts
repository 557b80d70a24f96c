import { type Client, grantedSubscriptions, nextPacketId } from '../aedes/connection.ts'
import { keepsRetainOnTheWire } from '../aedes/routing.ts'
import { grantedQoS } from '../rules/delivery.ts'
import { payloadHead } from '../store/listing.ts'
import { payloadBytes } from '../store/queue-tally.ts'
import type { Connection } from './connection.ts'
import type { SessionRegistry } from './registry.ts'

const NO_HEAD = Buffer.alloc(0)

interface ForwardedPacket {
  topic: string
  qos: number
  messageId?: number
  payload?: Buffer | string
  retain?: boolean
  dup?: boolean
  brokerId?: string
  brokerCounter?: number
}

/**
 * Called from `authorizeForward`, which aedes 1.2 calls exactly when it is
 * about to write a PUBLISH to a client (after its dedupe and no-local
 * checks), live or from the session's queue. A QoS 0 write is a delivery;
 * a QoS 1/2 one is in flight until its PUBACK/PUBCOMP.
 *
 * aedes gives a live QoS 1/2 message its packet id only after this hook
 * (unless the in-flight window gave it one); it is given here instead, from
 * the connection's own sequence exactly as aedes' QoSPacket would (as
 * `SessionPersistence.outgoingStream` does), so the acknowledgement can be
 * matched to the topic.
 */
export function observeForward(
  registry: SessionRegistry,
  connection: Connection,
  packet: ForwardedPacket,
): void {
  const client = connection.client
  // a message written to the client is activity on the session as much as a packet from it
  connection.lastActivity = registry.now()
  const qos = writtenQoS(client, packet)
  if (qos === 0) {
    registry.record(client.id, {
      type: 'delivered',
      at: connection.lastActivity,
      topic: packet.topic,
      qos,
    })
    return
  }
  if (packet.messageId == null) packet.messageId = nextPacketId(client)
  connection.inflight.set(packet.messageId, {
    seq: ++connection.inflightSeq,
    topic: packet.topic,
    qos,
    // Retain As Published: handed to aedes as RETAIN=0, written as RETAIN=1
    retain: packet.retain === true || keepsRetainOnTheWire(client, packet),
    dup: packet.dup === true,
    payloadBytes: payloadBytes(packet.payload),
    // only a clean session's queue page reads it (a persistent one's comes from the store):
    // the copy is not made on every delivery
    payloadHead: connection.clean ? payloadHead(packet.payload) : NO_HEAD,
    sentAt: registry.now(),
    released: false,
    messageExpiry: messageExpiryOf(packet),
  })
}

/**
 * The QoS the PUBLISH goes out with. SessionLab's delivery sends a live
 * message through a QoS 0 subscription when no matching subscription
 * grants more, and aedes then caps it by an exact filter's QoS
 * (client.js:140). A message with no matching subscription left can only
 * be one resent from the queue (it has its packet id), sent as stored.
 */
function writtenQoS(client: Client, packet: ForwardedPacket): 0 | 1 | 2 {
  const qos = Math.min(Math.max(packet.qos, 0), 2) as 0 | 1 | 2
  if (qos === 0) return 0
  const granted = grantedQoS(client, packet.topic)
  if (granted < 0) return packet.messageId == null ? 0 : qos
  if (granted === 0) return 0
  const exact = grantedSubscriptions(client)[packet.topic]
  return exact && exact.qos < qos ? (exact.qos as 0 | 1 | 2) : qos
}

/** MQTT 5: when the message expires, ms since the epoch (aedes stamps `messageExpiry` as it routes one with an interval). */
export function messageExpiryOf(packet: object): number | undefined {
  const at = (packet as { messageExpiry?: unknown }).messageExpiry
  return typeof at === 'number' ? at : undefined
}
