import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import { createWebSocketStream, WebSocket } from 'ws'
import { errorMessage } from '../../broker/coded-error.ts'
import { ClientError } from '../errors.ts'
import type { BrokerUrl } from './url.ts'

/** An open byte stream to a broker, and a way to learn when it is gone. */
export interface Connection {
  stream: Duplex
  /** Calls `listener` once, when the connection has closed (either side). */
  onClose(listener: () => void): void
}

/** Opens TCP or WebSocket (subprotocol `mqtt`); rejects with CONNECT_FAILED. */
export async function openConnection(url: BrokerUrl, timeoutMs: number): Promise<Connection> {
  try {
    return url.transport === 'tcp'
      ? await openTcp(url, timeoutMs)
      : await openWs(url.href, timeoutMs)
  } catch (err) {
    throw new ClientError('CONNECT_FAILED', `cannot reach ${url.href}: ${errorMessage(err)}`, {
      cause: err,
    })
  }
}

async function openTcp(
  url: { host: string; port: number },
  timeoutMs: number,
): Promise<Connection> {
  const socket = netConnect({ host: url.host, port: url.port })
  socket.setNoDelay(true)
  await settle(
    (resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    },
    timeoutMs,
    () => socket.destroy(),
  )
  socket.on('error', () => {}) // a reset shows as 'close'
  return { stream: socket, onClose: (listener) => socket.once('close', listener) }
}

async function openWs(href: string, timeoutMs: number): Promise<Connection> {
  const ws = new WebSocket(href, 'mqtt')
  await settle(
    (resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    },
    timeoutMs,
    () => ws.terminate(),
  )
  ws.on('error', () => {}) // a failure shows as 'close'
  const stream = createWebSocketStream(ws)
  stream.on('error', () => {})
  // the WebSocket, not the stream over it, says when the connection is gone
  return { stream, onClose: (listener) => ws.once('close', listener) }
}

/** Awaits `start`'s outcome; after `ms`, calls `abort` and rejects. */
function settle(
  start: (resolve: () => void, reject: (err: Error) => void) => void,
  ms: number,
  abort: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      abort()
      reject(new Error(`no connection within ${ms} ms`))
    }, ms)
    start(
      () => {
        clearTimeout(timer)
        resolve()
      },
      (err) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}
