import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('a persistent session whose QoS 1 subscriptions overlap gets each message once and stays connected', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: false })
    await sub.subscribe('a/#', 1)
    await sub.subscribe('a/+', 1, 2)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    for (const [messageId, payload] of [
      [1, 'x'],
      [2, 'y'],
    ] as const) {
      pub.send({
        cmd: 'publish',
        topic: 'a/b',
        payload: Buffer.from(payload),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      })
      await pub.next('puback')
      const packet = await sub.next('publish')
      expect(packet.payload.toString()).toBe(payload)
      sub.send({ cmd: 'puback', messageId: packet.messageId })
    }
    await sub.ping()
    expect(sub.unread).toEqual([])
    expect(sub.closed).toBe(false)
  })
})
