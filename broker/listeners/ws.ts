import { createServer, type IncomingMessage, type Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { ConnectionWriter } from '../aedes/writer.ts'
import type { SentCounts } from '../metrics/traffic.ts'
import { listen } from './listen.ts'
import { webSocketDuplex } from './ws-stream.ts'

/**
 * MQTT over WebSocket [MQTT-6.0.0]: binary frames as one byte stream per
 * connection, which goes to aedes behind its connection's writer.
 */
export async function openWsListener(
  handle: (conn: ConnectionWriter, req: IncomingMessage) => void,
  sent: SentCounts,
  host: string,
  port: number,
  path: string,
): Promise<{ server: Server; wss: WebSocketServer; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket is at ${path}\n`)
  })
  const wss = new WebSocketServer({
    server,
    path,
    // [MQTT-6.0.0-3]: the subprotocol is "mqtt" (MQTT 3.1 clients ask "mqttv3.1")
    handleProtocols: (protocols) =>
      protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
  })
  // ws re-emits the http server's errors; `listen` reports them
  wss.on('error', () => {})
  wss.on('connection', (ws, req) => {
    handle(new ConnectionWriter(webSocketDuplex(ws), sent), req)
  })
  const address = await listen(server, host, port, 'MQTT (WebSocket)')
  return { server, wss, url: `ws://${address}${path}` }
}
