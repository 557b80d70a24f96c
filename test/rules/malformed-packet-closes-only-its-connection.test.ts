import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

const garbage: [string, Buffer][] = [
  ['a reserved packet type', Buffer.from([0xf0, 0x00])],
  [
    'a CONNECT with a bad protocol name',
    Buffer.from([0x10, 0x0a, 0x00, 0x04, 0x4d, 0x51, 0x58, 0x58, 0x04, 0x02, 0x00, 0x00]),
  ],
  ['a remaining length longer than any packet', Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])],
  ['random bytes', Buffer.from('deadbeefcafebabe0102030405', 'hex')],
]

describe.each(transports)('over %s', (transport) => {
  test.each(garbage)('%s closes that connection only', async (_name, bytes) => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: bystander } = await RawClient.connect(url, {
      clientId: 'bystander',
      clean: false,
    })
    await bystander.subscribe('ok', 1)

    const bad = await RawClient.open(url)
    bad.writeRaw(bytes)
    await bad.waitClosed()

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send({
      cmd: 'publish',
      topic: 'ok',
      payload: Buffer.from('fine'),
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    })
    expect((await bystander.next('publish')).payload.toString()).toBe('fine')
  })

  test('a malformed packet after CONNECT closes the connection and publishes its Will', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'w' })
    await watcher.subscribe('lwt', 1)
    const { client } = await RawClient.connect(url, {
      clientId: 'broken',
      will: { topic: 'lwt', payload: 'protocol error', qos: 1 },
    })
    client.writeRaw(Buffer.from([0x82, 0x02, 0x00, 0x01])) // SUBSCRIBE with no topic filter
    await client.waitClosed()
    expect((await watcher.next('publish')).payload.toString()).toBe('protocol error')
  })
})
