import { describe, expect, test } from 'vitest'
import { connect5, messages } from '../helpers/mqtt5.ts'
import { startOn, stores } from './stores.ts'

// A live message Retain As Published keeps RETAIN=1 [MQTT-3.3.1-12], and for a
// persistent session its packet id is recorded before it is written. The
// messages routed after it on the same topic must still come after it: a
// Server sends one topic's PUBLISHes in the order it received them
// [MQTT-4.6.0-6], whatever their RETAIN flag.

const ROUNDS = 50
const session = { clientId: 'dev', clean: false, properties: { sessionExpiryInterval: 3600 } }

describe.each(stores)('on the %s store', (store) => {
  test('retained and plain messages published in turn on one topic arrive in that order', async () => {
    const b = await startOn(store)
    const broker = b.broker()
    const { client } = await connect5(broker.urls.mqtt, session)
    await client.subscribeAsync('kept/t', { qos: 1, rap: true })
    const { client: publisher } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
    const got = messages(client, ROUNDS * 2)

    // published without waiting for PUBACKs, so each pair is routed back to back
    const published: Promise<unknown>[] = []
    for (let i = 0; i < ROUNDS; i++) {
      published.push(publisher.publishAsync('kept/t', `${i} retained`, { qos: 1, retain: true }))
      published.push(publisher.publishAsync('kept/t', `${i} plain`, { qos: 1 }))
    }
    await Promise.all(published)

    const order = (await got).map((m) => `${m.payload.toString()} ${m.retain ? 'R' : '-'}`)
    const expected = Array.from({ length: ROUNDS }, (_, i) => [`${i} retained R`, `${i} plain -`])
    expect(order).toEqual(expected.flat())
  })
})
