import type { IPublishPacket, Packet } from 'mqtt-packet'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { RawClient } from '../helpers/raw-client.ts'

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
