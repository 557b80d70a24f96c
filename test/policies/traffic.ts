import type { IPublishPacket, Packet } from 'mqtt-packet'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { RawClient } from '../helpers/raw-client.ts'

/**
 * Publishes at QoS 1 and waits for the PUBACK: SessionLab acknowledges only
 * once the message is stored for every persistent session it matches.
 */
export async function publish1(
  client: RawClient,
  topic: string,
  payload: string,
  messageId: number,
) {
  client.send(publishPacket(topic, payload, 1, messageId))
  await client.next('puback')
}

/**
 * Publishes at QoS 2 through PUBCOMP. aedes answers PUBREC only after the
 * message was handed to every connected subscriber, so once this resolves
 * each subscriber's connection has it (sent, or waiting for a slot).
 */
export async function publish2(
  client: RawClient,
  topic: string,
  payload: string,
  messageId: number,
) {
  client.send(publishPacket(topic, payload, 2, messageId))
  await client.next('pubrec')
  client.send({ cmd: 'pubrel', messageId })
  await client.next('pubcomp')
}

/** Publishes at QoS 0 (nothing comes back). */
export function publish0(client: RawClient, topic: string, payload: string): void {
  client.send(publishPacket(topic, payload, 0))
}

function publishPacket(topic: string, payload: string, qos: 0 | 1 | 2, messageId?: number) {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos,
    retain: false,
    dup: false,
    messageId,
  } as Packet
}

/** The next `count` PUBLISH packets the client receives. */
export async function received(client: RawClient, count: number): Promise<IPublishPacket[]> {
  const packets: IPublishPacket[] = []
  for (let i = 0; i < count; i++) packets.push(await client.next('publish'))
  return packets
}

export function payloads(packets: readonly IPublishPacket[]): string[] {
  return packets.map((packet) => packet.payload.toString())
}

/** PUBLISH packets that arrived and were not taken yet. */
export function unreadPublishes(client: RawClient): Packet[] {
  return client.unread.filter((packet) => packet.cmd === 'publish')
}

/**
 * Ends the client's connection (with DISCONNECT, or as a network failure)
 * and waits until the broker has let it go: its session is offline.
 */
export async function goOffline(
  broker: BrokerHandle,
  client: RawClient,
  how: 'disconnect' | 'drop' = 'disconnect',
): Promise<void> {
  const gone = new Promise<void>((resolve) =>
    broker.aedes.once('clientDisconnect', () => resolve()),
  )
  await (how === 'disconnect' ? client.disconnect() : client.destroy())
  await gone
}
