import { once } from 'node:events'
import mqtt from 'mqtt-packet'
import type { ClientRef, OutgoingPacket, SessionStore, StoredPacket } from '../store/types.ts'

/** The parts of an aedes client a resumed page is written to. */
export interface ResumingClient extends ClientRef {
  conn: NodeJS.WritableStream & { destroyed?: boolean }
  connecting: boolean
  connected: boolean
  closed: boolean
  broker: { authorizeForward(client: never, packet: StoredPacket): StoredPacket | null | undefined }
}

export function isResumingClient(client: ClientRef): client is ResumingClient {
  const c = client as Partial<ResumingClient>
  return typeof c.conn?.write === 'function' && typeof c.broker?.authorizeForward === 'function'
}

/**
 * Writes a page of a resumed queue to the connection in one turn of the
 * event loop, so it leaves in one `writev`: aedes' emptyQueue writes one
 * packet per turn (lib/write.js answers through setImmediate), a syscall and
 * a loop turn per queued message. Each PUBLISH passes `authorizeForward` as
 * in aedes (emptyQueueFilter, handlers/connect.js); a refused one leaves the
 * queue. Resolves once the connection has room for the next page (false if
 * it closed).
 */
export async function writePage(
  client: ResumingClient,
  page: OutgoingPacket[],
  store: Pick<SessionStore, 'outgoingClearMessageId'>,
): Promise<boolean> {
  let room = true
  for (const entry of page) {
    if (!writable(client)) return false
    if (entry.cmd !== 'publish') {
      room = mqtt.writeToStream({ cmd: 'pubrel', messageId: entry.messageId }, client.conn)
      continue
    }
    const packet = entry as StoredPacket
    const forwarded = client.broker.authorizeForward(client as never, packet)
    if (!forwarded) {
      const { messageId, brokerId, brokerCounter } = packet
      await store.outgoingClearMessageId(client, { messageId, brokerId, brokerCounter })
      continue
    }
    room = mqtt.writeToStream(
      {
        cmd: 'publish',
        topic: forwarded.topic,
        payload: forwarded.payload,
        qos: forwarded.qos,
        retain: forwarded.retain,
        dup: forwarded.dup,
        messageId: forwarded.qos > 0 ? forwarded.messageId : undefined,
      } as mqtt.IPublishPacket,
      client.conn,
    )
  }
  if (!room && writable(client)) {
    await Promise.race([once(client.conn, 'drain'), once(client.conn, 'close')])
  }
  return writable(client)
}

function writable(client: ResumingClient): boolean {
  return (client.connecting || client.connected) && !client.closed && !client.conn.destroyed
}
