import type { IPublishPacket } from 'mqtt-packet'
import type { RawClient } from './raw-client.ts'

/** A PUBLISH packet; QoS 0 carries no packet id. */
export function publishPacket(
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 | 2,
  messageId = 1,
): IPublishPacket {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos,
    retain: false,
    dup: false,
    ...(qos > 0 ? { messageId } : {}),
  }
}

/**
 * Publishes and waits until the broker has the message: its PUBACK at QoS 1
 * (SessionLab acknowledges once it is stored for every persistent session it
 * matches), its PUBCOMP at QoS 2 (aedes answers PUBREC once every connected
 * subscriber's connection has it), a PINGRESP after QoS 0.
 */
export async function publish(
  client: RawClient,
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 | 2,
  messageId = 1,
): Promise<void> {
  client.send(publishPacket(topic, payload, qos, messageId))
  if (qos === 0) return client.ping()
  if (qos === 1) return acked(await client.next('puback'), messageId)
  acked(await client.next('pubrec'), messageId)
  client.send({ cmd: 'pubrel', messageId })
  acked(await client.next('pubcomp'), messageId)
}

function acked(ack: { cmd: string; messageId?: number }, messageId: number): void {
  if (ack.messageId !== messageId) {
    throw new Error(`${ack.cmd.toUpperCase()} for ${ack.messageId}, not ${messageId}`)
  }
}
