import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

// The QoS 0 writer encodes a message once for all its subscribers
// (broker/rules/qos0-writer.ts): these hold it to sending each one its own.
describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('back-to-back QoS 0 messages reach every subscriber each with its own topic and payload, and a retained copy keeps RETAIN=1', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const subs: RawClient[] = []
    for (const clientId of ['s1', 's2', 's3']) {
      const { client } = await RawClient.connect(url, { clientId })
      await client.subscribe('f/#', 0)
      subs.push(client)
    }
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    const sent = [
      { topic: 'f/a', payload: 'one', retain: false },
      { topic: 'f/a', payload: 'two', retain: false },
      { topic: 'f/b', payload: 'three', retain: true },
    ]
    // in one turn, so the broker handles them back to back
    for (const { topic, payload, retain } of sent) {
      pub.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain, dup: false })
    }
    for (const sub of subs) {
      for (const { topic, payload } of sent) {
        const packet = await sub.next('publish')
        // a live delivery carries RETAIN=0, retained or not [MQTT-3.3.1-9]
        expect([packet.topic, packet.payload.toString(), packet.qos, packet.retain]).toEqual([
          topic,
          payload,
          0,
          false,
        ])
      }
    }
    // the stored copy of the same message, sent for a new subscription, carries RETAIN=1 [MQTT-3.3.1-8]
    const { client: late } = await RawClient.connect(url, { clientId: 'late' })
    await late.subscribe('f/b', 0)
    const retained = await late.next('publish')
    expect([retained.topic, retained.payload.toString(), retained.retain]).toEqual([
      'f/b',
      'three',
      true,
    ])
    for (const client of [...subs, late]) {
      await client.ping()
      expect(client.unread).toEqual([])
    }
  })
})
