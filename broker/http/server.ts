import { createServer, type Server } from 'node:http'
import type { Express } from 'express'
import { listen } from '../listeners/listen.ts'

/** Headers must arrive within this; a slow client cannot hold a socket forever. */
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000

/** Serves `app` on `host:port` (0 picks a free port). */
export async function openHttpListener(
  app: Express,
  host: string,
  port: number,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    app,
  )
  const address = await listen(server, host, port, 'HTTP API')
  return { url: `http://${address}`, server, close: () => closeHttp(server) }
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
