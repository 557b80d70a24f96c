import { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'

// Unsent bytes a connection may hold before writes wait for the socket.
const HIGH_WATER_MARK = 64 * 1024
// How long a closing handshake may take before the socket is cut.
const CLOSE_GRACE_MS = 2000

/**
 * A byte stream over one WebSocket, for aedes. Unlike `ws`'s
 * createWebSocketStream, a write reaches the socket at once while the peer
 * keeps up, so the bytes aedes writes right before it destroys the connection
 * (a CONNACK with a refusal code, say) are sent rather than dropped from the
 * stream's buffer, and destroying closes with a proper close frame.
 */
export function webSocketDuplex(ws: WebSocket): Duplex {
  const duplex = new Duplex({
    read() {
      if (ws.isPaused) ws.resume()
    },
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState !== ws.OPEN) {
        callback(new Error('WebSocket is not open'))
        return
      }
      if (ws.bufferedAmount < HIGH_WATER_MARK) {
        ws.send(chunk, { binary: true })
        callback()
      } else {
        ws.send(chunk, { binary: true }, (err) => callback(err ?? null))
      }
    },
    final(callback) {
      closeGracefully(ws)
      callback()
    },
    destroy(err, callback) {
      closeGracefully(ws)
      callback(err)
    },
  })

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // [MQTT-6.0.0-1]: MQTT travels in binary frames only
    if (!isBinary) {
      duplex.destroy(new Error('MQTT over WebSocket requires binary frames'))
      return
    }
    if (!duplex.push(data)) ws.pause()
  })
  ws.on('close', () => {
    duplex.push(null)
    duplex.destroy()
  })
  ws.on('error', (err) => duplex.destroy(err))
  return duplex
}

function closeGracefully(ws: WebSocket): void {
  if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) return
  ws.close(1000)
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref()
}
