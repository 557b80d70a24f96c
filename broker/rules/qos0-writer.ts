import {
  type Client,
  type DeliveryPacket,
  forwardFilter,
  handedBefore,
  isWritable,
  wireVersionOf,
} from '../aedes/connection.ts'
import { qos0Frame } from '../aedes/qos0-frame.ts'
import { writerOf } from '../aedes/writer.ts'

/**
 * Writes a QoS 0 message to the connection now, as aedes' deliver0
 * (client.js) would one event-loop turn later: the same no-local rule,
 * dedupe by origin and `authorizeForward`. Written in the turn it arrives
 * in, every message of a turn for one connection leaves in one `writev`
 * (the connection's writer holds a turn's packets); aedes' two setImmediates
 * per delivery made a fan-out a syscall per subscriber per message. Written
 * through the writer like everything sent, so it is counted with the rest.
 * Returns false when the socket's buffer is full.
 *
 * A fan-out hands the same message to every subscriber in turn, so the
 * frame is encoded once and the same bytes written to each connection
 * ({@link qos0Frame}); encoding it per subscriber was most of a QoS 0
 * fan-out's cost.
 */
export function writeQos0(client: Client, packet: DeliveryPacket): boolean {
  if (packet.nl && packet.clientId === client.id) return true
  if (handedBefore(client, packet)) return true
  const forwarded = forwardFilter(client, packet)
  if (!forwarded) return true
  const writer = writerOf(client)
  if (!writer || !isWritable(client)) return true
  return writer.write(qos0Frame(forwarded, wireVersionOf(client)))
}
