import mqtt from 'mqtt-packet'
import type { DeliveryPacket } from './internals.ts'

/** The last message encoded, and what its frame was made of. */
let last:
  | { packet: DeliveryPacket; topic: string; payload: unknown; retain: boolean; frame: Buffer }
  | undefined

/**
 * The QoS 0 PUBLISH frame of `packet`: the one encoded for the previous
 * subscriber when it is the same message. The fields are compared as well as
 * the object, as `authorizeForward` may hand back the same object changed.
 */
export function qos0Frame(packet: DeliveryPacket): Buffer {
  const retain = packet.retain === true
  if (
    last !== undefined &&
    last.packet === packet &&
    last.topic === packet.topic &&
    last.payload === packet.payload &&
    last.retain === retain
  ) {
    return last.frame
  }
  const frame = mqtt.generate({
    cmd: 'publish',
    topic: packet.topic,
    payload: packet.payload,
    qos: 0,
    retain,
    dup: false,
  })
  last = { packet, topic: packet.topic, payload: packet.payload, retain, frame }
  return frame
}
