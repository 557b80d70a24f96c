import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { ConnectionWriter } from '../../broker/aedes/writer.ts'
import { createSentCounts } from '../../broker/metrics/traffic.ts'

type Chunks = { chunk: Buffer }[]

interface Pair {
  server: Server
  /** The server side's socket, under `writer`. */
  socket: Socket
  writer: ConnectionWriter
  /** The client side: reads what the writer sends. */
  peer: Socket
}

async function socketPair(): Promise<Pair> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const peer = connect((server.address() as AddressInfo).port, '127.0.0.1')
  const [socket] = await accepted
  return { server, socket, writer: new ConnectionWriter(socket, createSentCounts()), peer }
}

/** Records the batches the socket hands to the kernel. */
function recordWritev(socket: Socket): number[] {
  const batches: number[] = []
  const internal = socket as unknown as { _writev(chunks: Chunks, cb: () => void): void }
  const writev = internal._writev.bind(socket)
  internal._writev = (chunks, cb) => {
    batches.push(chunks.length)
    writev(chunks, cb)
  }
  return batches
}

/** The first `length` bytes the peer reads (all of them if `length` is undefined). */
async function readBytes(peer: Socket, length = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = []
  let read = 0
  for await (const chunk of peer) {
    chunks.push(chunk)
    read += chunk.length
    if (read >= length) break
  }
  return Buffer.concat(chunks)
}

let open: Pair | undefined

afterEach(() => {
  open?.writer.destroy()
  open?.peer.destroy()
  open?.server.close()
  open = undefined
})

describe("a connection's writer coalesces its writes", () => {
  it('sends the writes of one event-loop turn in one writev, in order', async () => {
    open = await socketPair()
    const batches = recordWritev(open.socket)
    open.writer.write('one,')
    open.writer.write('two,')
    open.writer.write('three')
    expect(batches).toEqual([])
    expect(`${await readBytes(open.peer, 13)}`).toBe('one,two,three')
    expect(batches).toEqual([3])
  })

  it('sends packets written in several ticks of one turn in one writev', async () => {
    open = await socketPair()
    const batches = recordWritev(open.socket)
    // mqtt-packet corks its stream for one tick per packet; the writer holds the whole turn
    open.writer.writePacket({ cmd: 'pingresp' }, 4)
    await new Promise(process.nextTick)
    open.writer.writePacket({ cmd: 'puback', messageId: 1 }, 4)
    expect([...(await readBytes(open.peer, 6))]).toEqual([0xd0, 0x00, 0x40, 0x02, 0x00, 0x01])
    expect(batches).toHaveLength(1)
  })

  it('flushes each turn on its own, so nothing waits longer than a turn', async () => {
    open = await socketPair()
    const batches = recordWritev(open.socket)
    open.writer.write('a')
    open.writer.write('b')
    await new Promise(setImmediate)
    open.writer.write('c')
    open.writer.write('d')
    expect(`${await readBytes(open.peer, 4)}`).toBe('abcd')
    expect(batches).toEqual([2, 2])
  })

  it('sends what is held when the connection is ended in the same turn', async () => {
    open = await socketPair()
    open.writer.write('last ')
    open.writer.end('words')
    expect(`${await readBytes(open.peer)}`).toBe('last words')
  })

  it('sends what is held when the connection is destroyed in the same turn', async () => {
    // as aedes does after a CONNACK that refuses the connection [MQTT-3.2.2-5]
    open = await socketPair()
    open.writer.write('refused')
    await new Promise(process.nextTick)
    open.writer.destroy()
    expect(`${await readBytes(open.peer)}`).toBe('refused')
  })

  it('reports a full buffer so that writers wait for drain', async () => {
    open = await socketPair()
    open.peer.pause()
    const big = Buffer.alloc(open.writer.writableHighWaterMark)
    expect(open.writer.write(big)).toBe(false)
    await once(open.writer, 'drain')
  })
})

/** A transport that completes no write until `flow()`, then every write at once. */
function stalledTransport(): Duplex & { flow(): void } {
  const waiting: (() => void)[] = []
  let flowing = false
  const transport = new Duplex({
    highWaterMark: 8,
    read() {},
    write(_chunk, _encoding, callback) {
      if (flowing) callback()
      else waiting.push(callback)
    },
  })
  return Object.assign(transport, {
    flow() {
      flowing = true
      for (const callback of waiting.splice(0)) callback()
    },
  })
}

describe("a connection's writer keeps the transport's backpressure", () => {
  it('answers write() as the transport does, and drains when the transport drains', async () => {
    const transport = stalledTransport()
    const writer = new ConnectionWriter(transport, createSentCounts())
    expect(writer.write('1234')).toBe(true)
    // the transport's buffer reaches its high-water mark (8): writers should wait
    expect(writer.write('5678')).toBe(false)
    expect(writer.write('9')).toBe(false)
    const drained = once(writer, 'drain')
    transport.flow()
    await drained
    expect(transport.writableLength).toBe(0)
    expect(writer.write('next')).toBe(true)
    writer.destroy()
  })
})
