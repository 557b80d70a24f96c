import type { IPublishPacket } from 'mqtt-packet'
import { ClientError } from '../errors.ts'
import type { PacketClient } from './packet-client.ts'

/**
 * The next PUBLISH that reaches any of `clients` (e.g. the members of a
 * shared subscription), and which of them got it. Rejects with TIMEOUT, or
 * CONNECTION_CLOSED once every client is closed with nothing left.
 */
export async function nextPublishFromAny(
  clients: PacketClient[],
  timeoutMs: number,
): Promise<{ client: PacketClient; packet: IPublishPacket }> {
  const stop = new AbortController()
  const waits = clients.map((client) =>
    client
      .next('publish', timeoutMs, undefined, stop.signal)
      .then((packet) => ({ client, packet })),
  )
  let first: { client: PacketClient; packet: IPublishPacket } | null = null
  try {
    first = await Promise.any(waits)
    return first
  } catch (err) {
    const reasons = err instanceof AggregateError ? err.errors : [err]
    const closed = reasons.every((r) => r instanceof ClientError && r.code === 'CONNECTION_CLOSED')
    throw closed
      ? new ClientError('CONNECTION_CLOSED', 'every connection closed before a publish came')
      : new ClientError('TIMEOUT', `no publish within ${timeoutMs} ms`)
  } finally {
    stop.abort()
    // a second client may have taken a packet in the same turn: it goes back, unread
    const settled = await Promise.allSettled(waits)
    for (const s of settled) {
      if (s.status === 'fulfilled' && s.value !== first) s.value.client.putBack(s.value.packet)
    }
  }
}
