import { createServer, type Server, type Socket } from 'node:net'
import { coalesceWrites } from './coalesce-writes.ts'
import { listen } from './listen.ts'

/** MQTT over TCP: every socket goes to aedes, its writes coalesced per event-loop turn. */
export async function openTcpListener(
  handle: (socket: Socket) => void,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer({ noDelay: true }, (socket) => handle(coalesceWrites(socket)))
  const address = await listen(server, host, port, 'MQTT (TCP)')
  return { server, url: `mqtt://${address}` }
}
