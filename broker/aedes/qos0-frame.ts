import mqtt from 'mqtt-packet'
import type { DeliveryPacket } from './internals.ts'
import type { WireVersion } from './writer.ts'

/** What the last frame encoded in one protocol version was made of. */
interface Encoded {
  topic: string
  payload: unknown
  retain: boolean
  properties: DeliveryPacket['properties']
  frame: Buffer
}

/** The last frame per encoding: a fan-out to 3.1.1 and MQTT 5 subscribers alternates them. */
const last: Record<WireVersion, Encoded | undefined> = { 4: undefined, 5: undefined }

/**
 * The QoS 0 PUBLISH frame of `packet` in the subscriber's protocol version:
 * the one encoded for the previous subscriber of that version when it is
 * made of the same fields. The fields are compared, not the object: aedes 2
 * hands each subscription a copy of the message (lib/handlers/subscribe.js),
 * and `authorizeForward` may change one; the same topic, payload buffer,
 * flag and properties object encode to the same bytes. MQTT 5 frames
 * carry the message's properties (user properties, content type, payload
 * format, response topic, correlation data, message expiry, a subscription
 * identifier); 3.1.1 has none, so its frames are the same for everyone.
 */
export function qos0Frame(packet: DeliveryPacket, version: WireVersion): Buffer {
  const retain = packet.retain === true
  const properties = version === 5 ? packet.properties : undefined
  const cached = last[version]
  if (
    cached !== undefined &&
    cached.topic === packet.topic &&
    cached.payload === packet.payload &&
    cached.retain === retain &&
    cached.properties === properties
  ) {
    return cached.frame
  }
  const publish: mqtt.IPublishPacket = {
    cmd: 'publish',
    topic: packet.topic,
    payload: packet.payload,
    qos: 0,
    retain,
    dup: false,
  }
  if (properties) publish.properties = properties
  const frame = mqtt.generate(publish, { protocolVersion: version })
  last[version] = { topic: packet.topic, payload: packet.payload, retain, properties, frame }
  return frame
}
