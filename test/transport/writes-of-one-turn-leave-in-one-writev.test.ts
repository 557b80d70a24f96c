import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { coalesceWrites } from '../../broker/listeners/coalesce-writes.ts'

type Chunks = { chunk: Buffer }[]

/** A connected pair: `sent` is the server side, wrapped; `peer` reads what it sends. */
async function socketPair(): Promise<{ server: Server; sent: Socket; peer: Socket }> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const peer = connect((server.address() as AddressInfo).port, '127.0.0.1')
  const [sent] = await accepted
  return { server, sent: coalesceWrites(sent), peer }
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

async function readBytes(peer: Socket, length: number): Promise<string> {
  let text = ''
  for await (const chunk of peer) {
    text += chunk
    if (text.length >= length) return text
  }
  return text
}

let open: { server: Server; sent: Socket; peer: Socket } | undefined

afterEach(() => {
  open?.sent.destroy()
  open?.peer.destroy()
  open?.server.close()
  open = undefined
})

describe('a connection coalesces its writes', () => {
  it('sends the writes of one event-loop turn in one writev, in order', async () => {
    open = await socketPair()
    const batches = recordWritev(open.sent)
    open.sent.write('one,')
    open.sent.write('two,')
    open.sent.write('three')
    expect(batches).toEqual([])
    expect(await readBytes(open.peer, 'one,two,three'.length)).toBe('one,two,three')
    expect(batches).toEqual([3])
  })

  it('flushes each turn on its own, so nothing waits longer than a turn', async () => {
    open = await socketPair()
    const batches = recordWritev(open.sent)
    open.sent.write('a')
    open.sent.write('b')
    await new Promise(setImmediate)
    open.sent.write('c')
    open.sent.write('d')
    expect(await readBytes(open.peer, 4)).toBe('abcd')
    expect(batches).toEqual([2, 2])
  })

  it('sends what is held when the connection is ended in the same turn', async () => {
    open = await socketPair()
    open.sent.write('last ')
    open.sent.end('words')
    let text = ''
    for await (const chunk of open.peer) text += chunk
    expect(text).toBe('last words')
  })

  it('reports a full buffer so that writers wait for drain', async () => {
    open = await socketPair()
    open.peer.pause()
    const big = Buffer.alloc(open.sent.writableHighWaterMark)
    expect(open.sent.write(big)).toBe(false)
    await once(open.sent, 'drain')
  })
})
