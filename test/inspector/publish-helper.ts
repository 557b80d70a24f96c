import type { Packet } from 'mqtt-packet'
import type { RawClient } from '../helpers/raw-client.ts'

/** Publishes at QoS 1 and waits for its PUBACK: by then it is queued for every session. */
export async function publishAcked(
  client: RawClient,
  topic: string,
  payload: string,
  messageId: number,
): Promise<void> {
  client.send({
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    messageId,
    retain: false,
    dup: false,
  } as Packet)
  const ack = await client.next('puback')
  if (ack.messageId !== messageId) throw new Error(`PUBACK for ${ack.messageId}, not ${messageId}`)
}
