import type { Server } from 'node:net'
import { SessionLabError } from '../errors.ts'

/** Listens and resolves `host:port` as bound (port 0 becomes the chosen port). */
export function listen(server: Server, host: string, port: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new SessionLabError(
          'LISTEN_FAILED',
          `${what} cannot listen on ${host}:${port}: ${err.code ?? err.message}`,
          { cause: err },
        ),
      )
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new SessionLabError('LISTEN_FAILED', `${what} has no TCP address`))
        return
      }
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
      resolve(`${shown}:${address.port}`)
    })
  })
}

/** Closes a server, resolving once it stopped accepting (open sockets are aedes' to close). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
  })
}
