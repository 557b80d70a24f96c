import { once } from 'node:events'
import {
  type Client,
  type DeliveryPacket,
  forwardFilter,
  isAedesConnection,
  isWritable,
  wireVersionOf,
} from '../aedes/connection.ts'
import { type ConnectionWriter, writerOf } from '../aedes/writer.ts'
import type { ClientRef, OutgoingPacket, SessionStore, StoredPacket } from '../store/types.ts'

/** An aedes connection with SessionLab's writer: a resumed page is written to it. */
export interface ResumingClient {
  client: Client
  writer: ConnectionWriter
}

/** The connection and writer a page goes to; undefined for a plain ref (aedes then writes). */
export function resumingClient(client: ClientRef): ResumingClient | undefined {
  if (!isAedesConnection(client)) return undefined
  const writer = writerOf(client)
  return writer ? { client, writer } : undefined
}

/**
 * Writes a page of a resumed queue through the connection's writer in one
 * turn of the event loop, so it leaves in one `writev` (and is counted with
 * everything else sent): aedes' emptyQueue writes one packet per turn
 * (lib/write.js answers through setImmediate), a syscall and a loop turn per
 * queued message. Each PUBLISH passes `authorizeForward` as
 * in aedes (emptyQueueFilter, handlers/connect.js); a refused one leaves the
 * queue. Resolves once the connection has room for the next page (false if
 * it closed).
 */
export async function writePage(
  { client, writer }: ResumingClient,
  page: OutgoingPacket[],
  store: Pick<SessionStore, 'outgoingClearMessageId'>,
): Promise<boolean> {
  let room = true
  // a v5 client reads a 3.1.1 PUBLISH as malformed; 3.1.1 has no properties to send
  const version = wireVersionOf(client)
  for (const entry of page) {
    if (!isWritable(client)) return false
    if (entry.cmd !== 'publish') {
      room = writer.writePacket({ cmd: 'pubrel', messageId: entry.messageId }, version)
      continue
    }
    const packet = entry as StoredPacket
    const forwarded = forwardFilter(client, packet as DeliveryPacket)
    if (!forwarded) {
      const { messageId, brokerId, brokerCounter } = packet
      await store.outgoingClearMessageId(client, { messageId, brokerId, brokerCounter })
      continue
    }
    room = writer.writePacket(
      {
        cmd: 'publish',
        topic: forwarded.topic,
        payload: forwarded.payload,
        qos: forwarded.qos as StoredPacket['qos'],
        retain: forwarded.retain,
        dup: forwarded.dup === true,
        messageId: forwarded.qos > 0 ? forwarded.messageId : undefined,
        // user properties, content type, payload format, response topic,
        // correlation data and message expiry as stored (MQTT 5 only)
        ...(version === 5 && forwarded.properties ? { properties: forwarded.properties } : {}),
      },
      version,
    )
  }
  if (!room && isWritable(client)) {
    await Promise.race([once(writer, 'drain'), once(writer, 'close')])
  }
  return isWritable(client)
}
