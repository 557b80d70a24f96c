import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { TlsOptions } from 'node:tls'
import type { Express } from 'express'
import { listen } from '../listeners/listen.ts'

/** Headers must arrive within this; a slow client cannot hold a socket forever. */
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000

/** Serves `app` on `host:port` (0 picks a free port), over HTTPS when `tls` is given. */
export async function openHttpListener(
  app: Express,
  host: string,
  port: number,
  tls?: TlsOptions,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const timeouts = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }
  const server = tls
    ? // the handshake counts against the same bound as the headers
      createHttpsServer({ ...tls, ...timeouts, handshakeTimeout: HEADERS_TIMEOUT_MS }, app)
    : createServer(timeouts, app)
  const address = await listen(server, host, port, tls ? 'HTTPS API' : 'HTTP API')
  return { url: `${tls ? 'https' : 'http'}://${address}`, server, close: () => closeHttp(server) }
}

/** Stops accepting and ends idle keep-alive connections, so close() does not wait on them. */
function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}
