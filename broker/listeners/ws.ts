import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { listen } from './listen.ts'
import { webSocketDuplex } from './ws-stream.ts'

/** MQTT over WebSocket [MQTT-6.0.0]: binary frames as one byte stream per connection. */
export async function openWsListener(
  handle: (stream: Duplex, req: IncomingMessage) => void,
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
    handle(webSocketDuplex(ws), req)
  })
  const address = await listen(server, host, port, 'MQTT (WebSocket)')
  return { server, wss, url: `ws://${address}${path}` }
}
