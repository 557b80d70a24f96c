import type { Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { urlFor } from '../helpers/broker.ts'
import { connect5, messages, nextMessage } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// MQTT 5 replaced CleanSession with two settings: Clean Start discards the
// earlier session [MQTT-3.1.2-4]; the Session Expiry Interval says how long
// the session outlives the connection, 0 meaning it ends with it
// [MQTT-3.1.2-23]. Session present follows [MQTT-3.2.2-2] [MQTT-3.2.2-3].

/** A session of `dev` (600 s) subscribed to cmd/dev, offline, with one message queued. */
async function queuedFor(url: string, broker: BrokerHandle) {
  const changes = new SessionChanges(broker.sessions)
  const { client } = await connect5(url, {
    clientId: 'dev',
    clean: false,
    properties: { sessionExpiryInterval: 600 },
  })
  await client.subscribeAsync('cmd/dev', { qos: 1 })
  await client.endAsync()
  await changes.next('disconnect', 'dev')
  const { client: pub } = await connect5(url, { clientId: 'pub' })
  await pub.publishAsync('cmd/dev', 'queued', { qos: 1 })
  return pub
}

describe.each(transportsAndAllStores)('over %s on %s', (transport, store) => {
  test('Clean Start=0 resumes the session: session present, the queued message comes', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    await queuedFor(url, broker())
    const { client, connack } = await connect5(url, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    })
    expect(connack.sessionPresent).toBe(true)
    const [queued] = await messages(client, 1)
    expect(queued.payload.toString()).toBe('queued')
  })

  test('Clean Start=1 discards the earlier session, even with a non-zero expiry', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const pub = await queuedFor(url, broker())
    const { client, connack } = await connect5(url, {
      clientId: 'dev',
      clean: true,
      properties: { sessionExpiryInterval: 600 },
    })
    expect(connack.sessionPresent).toBe(false)
    await client.subscribeAsync('probe', { qos: 1 })
    const first = nextMessage(client)
    await pub.publishAsync('probe', 'after', { qos: 1 })
    // the probe comes first: neither the old subscription nor its queue survived
    expect((await first).payload.toString()).toBe('after')
    expect(await broker().store.subscriptionsByTopic('cmd/dev')).toEqual([])
  })

  test('a Session Expiry Interval of 0 ends the session with the connection', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    await queuedFor(url, broker())
    const changes = new SessionChanges(broker().sessions)
    // Clean Start=0 with expiry 0: the old session is resumed, and ends with this connection
    const resumed = await connect5(url, { clientId: 'dev', clean: false })
    expect(resumed.connack.sessionPresent).toBe(true)
    await resumed.client.endAsync()
    await changes.next('disconnect', 'dev')
    await broker().store.flush()
    expect(await broker().store.getSession('dev')).toBeUndefined()
    const again = await connect5(url, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
  })

  test('a DISCONNECT setting expiry 0 ends the session it had kept', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const changes = new SessionChanges(broker().sessions)
    const { client } = await connect5(url, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    })
    await client.subscribeAsync('cmd/dev', { qos: 1 })
    await client.endAsync(false, { properties: { sessionExpiryInterval: 0 } })
    await changes.next('disconnect', 'dev')
    const again = await connect5(url, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
  })

  test('a DISCONNECT raising expiry from 0 gets DISCONNECT 0x82 and the Will is published', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: watcher } = await connect5(url, { clientId: 'watcher' })
    await watcher.subscribeAsync('status/#', { qos: 1 })
    const will = nextMessage(watcher)
    const raw = await RawClient.open(url, { protocolVersion: 5 })
    raw.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'dev',
      clean: false,
      keepalive: 0,
      will: { topic: 'status/dev', payload: Buffer.from('gone'), qos: 1, retain: false },
    } as Packet)
    expect((await raw.next('connack')).reasonCode).toBe(0)
    // [MQTT-3.14.2-2]: 0 at CONNECT, non-zero at DISCONNECT
    raw.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 60 } })
    const answer = await raw.next('disconnect')
    expect(answer.reasonCode).toBe(0x82)
    await raw.waitClosed()
    expect((await will).payload.toString()).toBe('gone')
    const again = await connect5(url, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
  })
})
