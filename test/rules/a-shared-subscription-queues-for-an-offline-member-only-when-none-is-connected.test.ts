import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { durableStores, startOn, stores } from './stores.ts'

// A group's message goes to a connected member when there is one; when every
// member is offline it is queued for one offline persistent member,
// round-robin, and delivered when that member returns [MQTT-4.8.2-4]. A clean
// member's share ends with its connection. (docs/session-rules.md#shared-subscriptions)

const FILTER = '$share/g/job/#'

async function join(url: string, clientId: string, clean = false): Promise<RawClient> {
  const { client } = await RawClient.connect(url, { clientId, clean })
  expect(await client.subscribe(FILTER, 1)).toEqual([1])
  return client
}

/** Takes `n` PUBLISHes, acknowledging each, then checks that nothing else came. */
async function take(client: RawClient, n: number): Promise<string[]> {
  const payloads: string[] = []
  for (let i = 0; i < n; i++) {
    const packet = await client.next('publish')
    payloads.push(String(packet.payload))
    client.send({ cmd: 'puback', messageId: packet.messageId as number })
  }
  await client.ping()
  expect(client.unread).toEqual([])
  return payloads
}

/** Resolves once the broker has seen the connection of `clientId` close. */
function closed(broker: BrokerHandle, clientId: string): Promise<void> {
  return new Promise((resolve) => {
    const heard = (client: { id: string }) => {
      if (client.id !== clientId) return
      broker.aedes.off('clientDisconnect', heard)
      resolve()
    }
    broker.aedes.on('clientDisconnect', heard)
  })
}

describe.each(stores)('on %s (MQTT 3.1.1)', (store) => {
  test('connected members take every message; with none connected each is queued for one persistent member', async () => {
    const { broker } = await startOn(store)
    const url = broker().urls.mqtt
    const a = await join(url, 'a')
    const b = await join(url, 'b')
    const c = await join(url, 'c', true)
    let gone = closed(broker(), 'c')
    await c.disconnect() // a clean member's share ends with it
    await gone
    gone = closed(broker(), 'b')
    await b.disconnect()
    await gone
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    for (let i = 1; i <= 4; i++) await publish(pub, 'job/x', `online${i}`, 1, i)
    expect(await take(a, 4)).toEqual(['online1', 'online2', 'online3', 'online4'])

    gone = closed(broker(), 'a')
    await a.disconnect()
    await gone
    for (let i = 1; i <= 4; i++) await publish(pub, 'job/x', `queued${i}`, 1, i)
    const { client: a2 } = await RawClient.connect(url, { clientId: 'a', clean: false })
    const { client: b2 } = await RawClient.connect(url, { clientId: 'b', clean: false })
    const fromA = await take(a2, 2)
    const fromB = await take(b2, 2)
    expect([...fromA, ...fromB].sort()).toEqual(['queued1', 'queued2', 'queued3', 'queued4'])
    const { client: c2 } = await RawClient.connect(url, { clientId: 'c', clean: false })
    await c2.ping()
    expect(c2.unread).toEqual([])
  })
})

describe.each(durableStores)('on %s, across a restart (MQTT 3.1.1)', (store) => {
  test('a persistent member keeps its shared subscription and gets what was published while the broker had no member online', async () => {
    const { broker, restart } = await startOn(store)
    const a = await join(broker().urls.mqtt, 'a')
    await a.disconnect()
    const url = (await restart()).urls.mqtt
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 'job/x', 'after-restart', 1)
    const { client: a2, connack } = await RawClient.connect(url, { clientId: 'a', clean: false })
    expect(connack.sessionPresent).toBe(true)
    expect(await take(a2, 1)).toEqual(['after-restart'])
    // resumed without subscribing again, it is a member again
    await publish(pub, 'job/x', 'live', 1, 2)
    expect(await take(a2, 1)).toEqual(['live'])
  })
})
