import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import type { TlsOptions } from 'node:tls'
import { WebSocketServer } from 'ws'
import { ConnectionWriter } from '../aedes/writer.ts'
import type { SentCounts } from '../metrics/traffic.ts'
import { listen } from './listen.ts'
import { webSocketDuplex } from './ws-stream.ts'

/**
 * MQTT over WebSocket [MQTT-6.0.0], over TLS (wss) when `tls` is given:
 * binary frames as one byte stream per connection, which goes to aedes
 * behind its connection's writer. A request anywhere but `path` is told
 * where MQTT is: a plain GET with 426, an upgrade with 404 and the
 * connection closed, so that a client on the wrong path fails at once.
 */
export async function openWsListener(
  handle: (conn: ConnectionWriter, req: IncomingMessage) => void,
  sent: SentCounts,
  host: string,
  port: number,
  path: string,
  tls?: TlsOptions,
): Promise<{ server: Server; wss: WebSocketServer; url: string }> {
  const scheme = tls ? 'wss' : 'ws'
  let address = `${host}:${port}`
  const where = (req: IncomingMessage) =>
    `MQTT over WebSocket is at ${scheme}://${hostOf(req) ?? address}${path}\n`
  const notUpgraded = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end(where(req))
  }
  const server = tls ? createHttpsServer(tls, notUpgraded) : createServer(notUpgraded)
  const wss = new WebSocketServer({
    // the upgrades are routed here (below), so that a wrong path gets more than ws' bare 400
    noServer: true,
    // [MQTT-6.0.0-3]: the subprotocol is "mqtt" (MQTT 3.1 clients ask "mqttv3.1")
    handleProtocols: (protocols) =>
      protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
  })
  wss.on('connection', (ws, req: IncomingMessage) => {
    handle(new ConnectionWriter(webSocketDuplex(ws), sent), req)
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) === path) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    } else refuseUpgrade(socket, where(req))
  })
  const what = tls ? 'MQTT (WebSocket over TLS)' : 'MQTT (WebSocket)'
  address = await listen(server, host, port, what)
  return { server, wss, url: `${scheme}://${address}${path}` }
}

/** The request's path without its query, as ws compares it with its `path` option. */
function pathOf(url = ''): string {
  const at = url.indexOf('?')
  return at === -1 ? url : url.slice(0, at)
}

/** The Host the client asked for, when it is a plain host[:port] (it is echoed back). */
function hostOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host
  return host && /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(host) ? host : undefined
}

/**
 * Answers an upgrade with 404 and closes the connection. An HTTP error
 * rather than ws' bare 400 tells a person (curl, a browser's console) where
 * MQTT is; closing at once ends the client's attempt without a wait.
 */
function refuseUpgrade(socket: Duplex, body: string): void {
  // a peer that is already gone has nothing left to be told
  socket.on('error', () => {})
  socket.once('finish', () => socket.destroy())
  socket.end(
    'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
