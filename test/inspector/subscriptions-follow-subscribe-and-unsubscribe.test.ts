import type { Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test.each([false, true])('with CleanSession=%s', async (clean) => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'sub', clean })
    expect(await client.subscribe('sensors/#', 1)).toEqual([1])
    expect(await client.subscribe('alerts', 2, 2)).toEqual([2])

    expect((await broker.sessions.get('sub'))?.subscriptions).toEqual([
      { topic: 'sensors/#', qos: 1 },
      { topic: 'alerts', qos: 2 },
    ])
    const subscribed = await changes.next('subscribe', 'sub')
    expect(subscribed.event).toMatchObject({ topic: 'sensors/#', qos: 1 })

    client.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['sensors/#'] } as Packet)
    await client.next('unsuback')
    const unsubscribed = await changes.next('unsubscribe', 'sub')

    expect(unsubscribed.event.topic).toBe('sensors/#')
    expect((await broker.sessions.get('sub'))?.subscriptions).toEqual([{ topic: 'alerts', qos: 2 }])
    const page = await broker.sessions.list({ limit: 10 })
    expect(page.sessions.find((s) => s.clientId === 'sub')?.subscriptions).toBe(1)
    expect(changes.typesOf('sub')).toEqual(['connect', 'subscribe', 'subscribe', 'unsubscribe'])
  })

  test('an offline session lists the subscriptions it keeps', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    await client.subscribe('a/+', 1)
    await client.destroy()
    await changes.next('disconnect', 'p')

    const view = await broker.sessions.get('p')
    expect(view).toMatchObject({ connected: false, subscriptions: [{ topic: 'a/+', qos: 1 }] })
    const page = await broker.sessions.list({ limit: 10, state: 'offline' })
    expect(page.sessions).toMatchObject([{ clientId: 'p', subscriptions: 1 }])
  })
})
