import { once } from 'node:events'
import { Duplex } from 'node:stream'
import { expect, test } from 'vitest'
import { ConnectionWriter } from '../../broker/aedes/writer.ts'
import { createSentCounts } from '../../broker/metrics/traffic.ts'

/** A transport whose incoming bytes the test pushes. */
function transport(): Duplex & { remoteAddress: string; remotePort: number } {
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback()
    },
  })
  return Object.assign(stream, { remoteAddress: '192.0.2.7', remotePort: 1883 })
}

test("the transport's bytes, end and address reach the reader as they would on the transport", async () => {
  const t = transport()
  const writer = new ConnectionWriter(t, createSentCounts())
  expect([writer.remoteAddress, writer.remotePort]).toEqual(['192.0.2.7', 1883])
  t.push(Buffer.from('con'))
  t.push(Buffer.from('nect'))
  t.push(null)
  const chunks: Buffer[] = []
  for await (const chunk of writer) chunks.push(chunk)
  expect(`${Buffer.concat(chunks)}`).toBe('connect')
  writer.destroy()
})

test('a reader that stops reading pauses the transport, and reading resumes it', async () => {
  const t = transport()
  const writer = new ConnectionWriter(t, createSentCounts())
  // as aedes while it authenticates a CONNECT: nobody reads
  const big = Buffer.alloc(writer.readableHighWaterMark)
  t.push(big)
  await once(t, 'pause')
  expect(t.isPaused()).toBe(true)
  const resumed = once(t, 'resume')
  expect(writer.read()).toHaveLength(big.length)
  await resumed
  expect(t.isPaused()).toBe(false)
  writer.destroy()
})

test("the transport's error and close reach whoever watches the connection", async () => {
  const t = transport()
  const writer = new ConnectionWriter(t, createSentCounts())
  const failed = once(writer, 'error')
  const closed = new Promise((resolve) => writer.once('close', resolve))
  t.destroy(new Error('ECONNRESET'))
  const [error] = await failed
  expect((error as Error).message).toBe('ECONNRESET')
  await closed
  expect(writer.destroyed).toBe(true)
})
