import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { ConnectionWriter } from '../aedes/writer.ts'
import type { SentCounts } from '../metrics/traffic.ts'
import { listen } from './listen.ts'

/**
 * MQTT over TCP, or over TLS (mqtts) when `tls` is given: every socket goes
 * to aedes behind its connection's writer, a TLS one once its handshake is
 * done. A failed handshake never reaches aedes; Node closes that socket.
 */
export async function openTcpListener(
  handle: (conn: ConnectionWriter) => void,
  sent: SentCounts,
  host: string,
  port: number,
  tls?: TlsOptions,
): Promise<{ server: Server; url: string }> {
  const onSocket = (socket: Socket) => handle(new ConnectionWriter(socket, sent))
  const server = tls
    ? createTlsServer({ ...tls, noDelay: true }, onSocket)
    : createServer({ noDelay: true }, onSocket)
  const address = await listen(server, host, port, tls ? 'MQTT (TLS)' : 'MQTT (TCP)')
  return { server, url: `${tls ? 'mqtts' : 'mqtt'}://${address}` }
}
