import type { Packet } from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { FrameSizeGuard } from '../../broker/auth/packet-size.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transports)('over %s', (transport) => {
  it('closes the connection of a PUBLISH over --max-packet-size; others are unharmed', async () => {
    const broker = await startBroker({ store: 'memory', maxPacketSize: 1024 })
    const url = urlFor(broker, transport)
    const bystander = await RawClient.connect(url, { clientId: 'bystander' })
    expect(await bystander.client.subscribe('t', 0)).toEqual([0])
    const { client } = await RawClient.connect(url, { clientId: 'big' })

    const publish = (size: number) => publishPacket('t', Buffer.alloc(size, 1), 0)
    client.send(publish(1000)) // 2 + 1000 + 2 + 1 header bytes: under the limit
    expect((await bystander.client.next('publish')).payload).toHaveLength(1000)
    client.send(publish(1100))
    await client.waitClosed()
    await bystander.client.ping()
    expect(bystander.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])
  })
})

it('refuses a CONNECT over the limit too', async () => {
  const broker = await startBroker({ store: 'memory', maxPacketSize: 64 })
  const client = await RawClient.open(broker.urls.mqtt)
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 'x'.repeat(100),
    clean: true,
    keepalive: 0,
  } as Packet)
  await client.waitClosed()
})

it('follows frame boundaries across chunks', () => {
  const guard = new FrameSizeGuard(10)
  // PINGREQ (2 bytes), then a PUBLISH header announcing 200 bytes, split mid-length
  expect(guard.accept(Uint8Array.from([0xc0, 0x00, 0x30]))).toBe(true)
  expect(guard.accept(Uint8Array.from([0xc8]))).toBe(true)
  expect(guard.accept(Uint8Array.from([0x01]))).toBe(false)
  expect(guard.accept(Uint8Array.from([0xc0, 0x00]))).toBe(false)
  const ok = new FrameSizeGuard(10)
  expect(ok.accept(Uint8Array.from([0x30, 0x08, 1, 2, 3, 4]))).toBe(true)
  expect(ok.accept(Uint8Array.from([5, 6, 7, 8, 0xc0, 0x00]))).toBe(true)
})
