import net from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * A port that was free a moment ago: bind port 0, read the port, close. For brokers that cannot
 * listen on port 0 themselves (Mosquitto); the small race is handled by retrying the start.
 */
export function pickFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Retries a TCP connect until the port accepts or `gaveUp` settles. Polling is the only readiness
 * signal a broker that prints nothing parseable gives us.
 */
export async function waitForTcp(
  host: string,
  port: number,
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('the process exited before it accepted connections')
    if (await tryConnect(host, port)) return
    await delay(25)
  }
  throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`)
}
