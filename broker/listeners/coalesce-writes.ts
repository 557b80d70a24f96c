import type { Socket } from 'node:net'

/**
 * Holds a socket's writes until the event loop's check phase, so every packet
 * written to one connection in a loop iteration leaves in one `writev`.
 * aedes writes each packet from its own callback (mqtt-packet corks only
 * until the next tick), which made the kernel write the biggest single cost
 * of live QoS 1 traffic: a syscall per PUBLISH and per PUBACK.
 */
export function coalesceWrites(socket: Socket): Socket {
  let held = false
  const write = socket.write
  const release = (): void => {
    held = false
    // A destroyed socket has dropped its buffer; uncork on it is a no-op.
    socket.uncork()
  }
  // Named parameters, not a rest array: this runs for every packet written.
  socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (!held) {
      held = true
      socket.cork()
      setImmediate(release)
    }
    return (write as (c: unknown, e?: unknown, cb?: unknown) => boolean).call(
      this,
      chunk,
      encoding,
      callback,
    )
  } as Socket['write']
  return socket
}
