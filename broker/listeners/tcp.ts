import { createServer, type Server, type Socket } from 'node:net'
import { listen } from './listen.ts'

/** MQTT over TCP: every socket goes straight to aedes. */
export async function openTcpListener(
  handle: (socket: Socket) => void,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer({ noDelay: true }, handle)
  const address = await listen(server, host, port, 'MQTT (TCP)')
  return { server, url: `mqtt://${address}` }
}
