import { describe, expect, test } from 'vitest'
import { connect5, messages } from '../helpers/mqtt5.ts'
import { startOn, stores } from './stores.ts'

// A Server sends one topic's PUBLISHes (of one QoS) in the order it received
// them from a client [MQTT-4.6.0-5] [MQTT-4.6.0-6], retained or not. aedes
// handles the PUBLISHes of one read side by side and awaited a second store of
// a retained one before routing it, so the plain message after it came first.

const ROUNDS = 50

describe.each(stores)('on the %s store', (store) => {
  test.each([
    ['a clean', 1, true],
    ['a persistent', 1, false],
    ['a clean', 0, true],
    ['a persistent', 0, false],
  ] as const)(
    '%s MQTT 3.1.1 subscriber gets retained and plain messages at QoS %i in the order published',
    async (_, qos, clean) => {
      const b = await startOn(store)
      const broker = b.broker()
      const { client } = await connect5(broker.urls.mqtt, {
        clientId: 'dev',
        clean,
        protocolVersion: 4,
      })
      await client.subscribeAsync('t', { qos })
      const { client: publisher } = await connect5(broker.urls.mqtt, {
        clientId: 'pub',
        protocolVersion: 4,
      })
      const got = messages(client, ROUNDS * 2)

      // without waiting for PUBACKs: the broker reads several PUBLISHes at once
      const published: Promise<unknown>[] = []
      for (let i = 0; i < ROUNDS; i++) {
        published.push(publisher.publishAsync('t', `${i} retained`, { qos, retain: true }))
        published.push(publisher.publishAsync('t', `${i} plain`, { qos }))
      }
      await Promise.all(published)

      const order = (await got).map((m) => `${m.payload.toString()} ${m.retain ? 1 : 0}`)
      const expected = Array.from({ length: ROUNDS }, (_, i) => [`${i} retained 0`, `${i} plain 0`])
      expect(order).toEqual(expected.flat())
    },
  )
})
