import { createServer, type Server } from 'node:net'
import { ConnectionWriter } from '../aedes/writer.ts'
import type { SentCounts } from '../metrics/traffic.ts'
import { listen } from './listen.ts'

/** MQTT over TCP: every socket goes to aedes behind its connection's writer. */
export async function openTcpListener(
  handle: (conn: ConnectionWriter) => void,
  sent: SentCounts,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer({ noDelay: true }, (socket) => {
    handle(new ConnectionWriter(socket, sent))
  })
  const address = await listen(server, host, port, 'MQTT (TCP)')
  return { server, url: `mqtt://${address}` }
}
