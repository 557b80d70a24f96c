import {
  type Client,
  type Deliver,
  type DeliveryPacket,
  grantedSubscriptions,
  handedBefore,
  replaceDelivery,
  tooLargeFor,
} from '../aedes/connection.ts'
import { retainOnTheWire } from '../aedes/routing.ts'
import type { ConnectPacket, ConnectStage } from '../aedes/stages.ts'
import { type Backlog, type Backpressure, isBehind, isCaughtUp } from '../policies/backpressure.ts'
import { payloadBytes } from '../store/queue-tally.ts'
import { topicMatches } from './qos.ts'
import { writeQos0 } from './qos0-writer.ts'
import { claim } from './resume-claims.ts'
import { quotaExceeded } from './server-disconnect.ts'

export interface DeliveryLimits {
  /** Messages handed to one connection and not yet written before it counts as stuck (0 = no limit). */
  maxPendingDeliveries: number
  /** Bytes handed to one connection and not yet written before it counts as stuck (0 = no limit). */
  maxPendingBytes: number
  /** Holds the publishers back while a connection's deliveries are behind. */
  backpressure?: Backpressure
  /** Called once when a connection exceeds a limit; it is then closed. */
  onSlowConsumer: (client: Client) => void
  /**
   * Wraps aedes' QoS 1/2 delivery of this connection (the in-flight window of
   * broker/policies/inflight.ts); messages it holds count as unwritten.
   * `receiveMaximum` is the MQTT 5 client's Receive Maximum, if it set one.
   */
  wrapQoS?: (client: Client, deliver: Deliver, receiveMaximum?: number) => Deliver
  /** A message over the MQTT 5 client's Maximum Packet Size: not sent, dropped as if delivered. */
  onTooLarge?: (client: Client, packet: DeliveryPacket) => void
}

/**
 * Wraps one connection's delivery functions, installed before any of its
 * subscriptions exist (from `preConnect`):
 *
 * - Releases mqemitter's slot at once instead of when the socket drains. aedes
 *   1.2 holds a broker-wide slot (100 by default) per delivery until the write
 *   completes, so one subscriber that stops reading stalls every other client,
 *   and when it finally disconnects the backlog drains recursively and
 *   overflows the stack (mqemitter PR #204). The write itself still completes
 *   in order.
 * - Keeps the connection's backlog, what it was handed and has not written:
 *   while it is behind, the publishers are held back
 *   (broker/policies/backpressure.ts); a reader that stopped and whose
 *   backlog passes `--max-pending-bytes` is closed as a network failure (its
 *   Will is published, its session kept).
 * - Delivers with the QoS owed to this client across all its matching
 *   subscriptions [MQTT-3.8.4-6], [MQTT-3.3.5-1]: aedes only downgrades for an
 *   exact topic match (client.js:140), and a QoS 0 subscription overlapping a
 *   QoS 1/2 one could win the race and deliver at QoS 0.
 */
export function deliveryStage(limits: DeliveryLimits): ConnectStage {
  return {
    read: (client, packet) =>
      replaceDelivery(client, (aedes) => delivery(client, aedes, limits, receiveMaximumOf(packet))),
  }
}

/** The MQTT 5 CONNECT's Receive Maximum [MQTT-3.1.2.11.3], undefined when it sets none (65535). */
function receiveMaximumOf(packet: ConnectPacket): number | undefined {
  return packet.protocolVersion === 5 ? packet.properties?.receiveMaximum : undefined
}

function delivery(
  client: Client,
  aedes: { qos0: Deliver; qos: Deliver },
  limits: DeliveryLimits,
  receiveMaximum: number | undefined,
): { qos0: Deliver; qos: Deliver } {
  const aedesQoS = retainedAsPublished(client, aedes.qos)
  const deliverQoS = limits.wrapQoS ? limits.wrapQoS(client, aedesQoS, receiveMaximum) : aedesQoS
  // Handed to aedes' QoS 1/2 delivery and not yet written.
  let pending = 0
  let pendingBytes = 0
  // QoS 0 messages written while the socket's buffer is over its high-water mark.
  let unwritten = 0
  let unwrittenBytes = 0
  let stuck = false
  let behind = false
  const pressure = limits.backpressure
  const backlog = (): Backlog => ({
    messages: pending + unwritten,
    bytes: pendingBytes + unwrittenBytes,
  })
  const overLimit = (): boolean =>
    (limits.maxPendingDeliveries > 0 && pending + unwritten > limits.maxPendingDeliveries) ||
    (limits.maxPendingBytes > 0 && pendingBytes + unwrittenBytes > limits.maxPendingBytes)
  const closeStuck = (): void => {
    stuck = true
    limits.onSlowConsumer(client)
    quotaExceeded(client) // MQTT 5: DISCONNECT 0x97 first
    client.close()
  }
  const added = (packet: DeliveryPacket): void => {
    if (!pressure) return
    if (!behind && isBehind(backlog())) {
      behind = true
      pressure.behind(client)
    }
    // its publisher is held back until this connection caught up
    if (behind && packet.clientId !== undefined) pressure.fed(client, packet.clientId)
  }
  const written = (): void => {
    if (!pressure || !behind) return
    pressure.progress(client)
    if (isCaughtUp(backlog())) {
      behind = false
      pressure.caughtUp(client)
    }
  }
  if (pressure) client.conn.once('close', () => pressure.caughtUp(client))

  const track = (deliver: Deliver, packet: DeliveryPacket, done: () => void): void => {
    // The slot is released in a microtask: before any more I/O, yet each
    // release (and the next message mqemitter starts from it) runs on a fresh
    // stack, so a backlog cannot recurse (mqemitter PR #204). A setImmediate
    // per delivery cost a loop turn per subscriber per message.
    queueMicrotask(done)
    if (stuck) return
    const bytes = bytesOf(packet)
    pending++
    pendingBytes += bytes
    if (overLimit()) {
      closeStuck()
      return
    }
    added(packet)
    deliver(packet, () => {
      pending--
      pendingBytes -= bytes
      written()
    })
  }

  const drained = () => {
    unwritten = 0
    unwrittenBytes = 0
    written()
  }
  const deliverAtQos0: Deliver = (packet, done) => {
    queueMicrotask(done) // as in `track`
    // Another subscription of this client grants QoS > 0: it delivers instead.
    if (packet.qos > 0 && grantedQoS(client, packet.topic) > 0) return
    if (stuck) return
    if (tooLarge(packet)) return
    if (writeQos0(client, packet)) return
    if (unwritten === 0) client.conn.once('drain', drained)
    unwritten++
    unwrittenBytes += bytesOf(packet)
    added(packet)
    if (overLimit()) closeStuck()
  }

  // [MQTT-3.1.2-25]: a PUBLISH over the client's Maximum Packet Size is not sent
  const tooLarge = (packet: DeliveryPacket): boolean => {
    if (!tooLargeFor(client, packet)) return false
    limits.onTooLarge?.(client, packet)
    return true
  }

  const deliverQoSOnce: Deliver = (packet, done) => {
    const granted = grantedQoS(client, packet.topic)
    if (granted >= 0 && granted < packet.qos) packet.qos = granted
    if (packet.qos === 0) {
      deliverAtQos0(packet, done)
      return
    }
    // A message matching several QoS 1/2 subscriptions of this client comes
    // once per subscription. aedes drops the later copies as duplicates, but
    // for a persistent session also clears the stored entry the first copy
    // is being sent from: its packet id update then fails ('no such packet')
    // and the connection is closed. Later copies stop here.
    if (handedBefore(client, packet) || !claim(client, packet, 'live')) {
      setImmediate(done)
      return
    }
    if (tooLarge(packet)) {
      setImmediate(done)
      return
    }
    track(deliverQoS, packet, done)
  }
  return { qos0: deliverAtQos0, qos: deliverQoSOnce }
}

/**
 * A live RETAIN=1 message for a persistent session (MQTT 5 Retain As
 * Published) goes through aedes as every other live message does, its flag
 * set back on the wire: see {@link retainOnTheWire}.
 */
function retainedAsPublished(client: Client, deliver: Deliver): Deliver {
  return (packet, done) => {
    if (!packet.retain || client.clean !== false || !packet.brokerId || packet.qos === 0) {
      deliver(packet, done)
      return
    }
    deliver(retainOnTheWire(client, packet), done)
  }
}

/** What a message adds to a backlog: its payload and topic, near enough its size on the wire. */
function bytesOf(packet: DeliveryPacket): number {
  return payloadBytes(packet.payload as Buffer | string | undefined) + packet.topic.length
}

/** Highest QoS granted to this connection for a topic, -1 when nothing matches. */
export function grantedQoS(client: Client, topic: string): number {
  const subs = grantedSubscriptions(client)
  const exact = subs[topic]
  let granted = exact ? exact.qos : -1
  if (granted === 2) return 2
  for (const filter in subs) {
    const qos = subs[filter].qos
    if (qos > granted && topicMatches(filter, topic)) granted = qos
  }
  return granted
}
