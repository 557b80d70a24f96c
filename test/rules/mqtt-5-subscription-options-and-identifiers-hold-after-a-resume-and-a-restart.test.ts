import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { connect5, messages, open5 } from '../helpers/mqtt5.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startOn, stores } from './stores.ts'

// MQTT 5 subscription options and identifiers are part of the session
// [MQTT-3.1.2-4]: stored with each subscription, they apply to the messages
// queued while the client was away and, after a resume or a restart, to
// live ones. Queued messages carry the identifier of every matching
// subscription [MQTT-3.3.4-3] [MQTT-3.3.4-5], and their RETAIN flag follows
// Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13] (3.1.1 keeps RETAIN=0).

const session = { clientId: 'dev', clean: false, properties: { sessionExpiryInterval: 3600 } }

async function publish(broker: BrokerHandle, topic: string, retain = false) {
  const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
  await client.publishAsync(topic, topic, { qos: 1, retain })
  await client.endAsync()
}

describe.each(stores)('on the %s store', (store) => {
  test('queued messages carry their identifiers and RETAIN as the options say, also after a restart', async () => {
    const b = await startOn(store)
    const { client } = await connect5(b.broker().urls.mqtt, session)
    await client.subscribeAsync('tagged/#', { qos: 1, properties: { subscriptionIdentifier: 7 } })
    await client.subscribeAsync('tagged/x', { qos: 1, properties: { subscriptionIdentifier: 9 } })
    await client.subscribeAsync({ 'kept/+': { qos: 1, rap: true }, 'plain/+': { qos: 1 } })
    await client.subscribeAsync('own/+', { qos: 1, nl: true })
    const changes = new SessionChanges(b.broker().sessions)
    await client.endAsync()
    await changes.next('disconnect', 'dev')
    await publish(b.broker(), 'tagged/x')
    await publish(b.broker(), 'tagged/y')
    await publish(b.broker(), 'kept/q', true)
    await publish(b.broker(), 'plain/q', true)
    const broker = store === 'memory' ? b.broker() : await b.restart()

    const back = open5(broker.urls.mqtt, session)
    const got = await messages(back, 4)
    const seen = got.map((m) => ({
      topic: m.topic,
      retain: m.retain,
      ids: m.properties?.subscriptionIdentifier ?? null,
    }))
    expect(seen).toEqual([
      { topic: 'tagged/x', retain: false, ids: [7, 9] },
      { topic: 'tagged/y', retain: false, ids: 7 },
      { topic: 'kept/q', retain: true, ids: null },
      { topic: 'plain/q', retain: false, ids: null },
    ])

    // live, on the restored subscriptions: the identifier, and No Local
    const live = messages(back, 2)
    await back.publishAsync('own/x', 'mine', { qos: 1 })
    await publish(broker, 'tagged/z')
    await publish(broker, 'own/y')
    const [first, second] = await live
    expect([first.topic, first.properties?.subscriptionIdentifier]).toEqual(['tagged/z', 7])
    expect(second.topic).toBe('own/y')
  })

  test('a live message Retain As Published kept RETAIN=1, once acknowledged, is not sent again on resume', async () => {
    const b = await startOn(store)
    const broker = b.broker()
    const { client } = await connect5(broker.urls.mqtt, session)
    await client.subscribeAsync('kept/+', { qos: 1, rap: true })
    const live = messages(client, 1)
    await publish(broker, 'kept/live', true)
    expect((await live)[0]).toMatchObject({ topic: 'kept/live', retain: true })
    const changes = new SessionChanges(broker.sessions)
    await client.endAsync()
    await changes.next('disconnect', 'dev')
    await publish(broker, 'kept/queued', true)

    const back = open5(broker.urls.mqtt, session)
    const [first] = await messages(back, 1)
    expect([first.topic, first.dup]).toEqual(['kept/queued', false])
  })
})
