import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

const will = { topic: 'lwt/dev', payload: 'gone', qos: 1 as const }

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('the connection closes, its Will is published and the session stays, offline', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'w' })
    await watcher.subscribe('lwt/#', 1)
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      will,
    })
    await client.subscribe('cmd/dev', 1)

    expect(await broker.sessions.disconnect('dev')).toBe(true)

    // resolved once the broker let go of the connection: the view says so already
    const view = await broker.sessions.get('dev')
    expect(view).toMatchObject({ connected: false, subscriptions: [{ topic: 'cmd/dev', qos: 1 }] })
    expect(view?.history.at(-1)).toMatchObject({ type: 'disconnect', reason: 'admin' })
    await client.waitClosed()
    expect((await watcher.next('publish')).payload.toString()).toBe('gone') // [MQTT-3.1.2-8]
    expect((await changes.next('disconnect', 'dev')).event.reason).toBe('admin')
  })

  test('a clean session ends with its connection', async () => {
    const broker = await startBroker({ store })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'tmp' })

    expect(await broker.sessions.disconnect('tmp')).toBe(true)

    await client.waitClosed()
    // the broker holds nothing for it; the inspector shows why it ended
    expect(await broker.sessions.get('tmp')).toMatchObject({
      state: 'ended',
      subscriptions: [],
      ended: { reason: 'admin' },
    })
  })

  test('a client that is not connected cannot be disconnected', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    await client.disconnect()
    await changes.next('disconnect', 'p')

    expect(await broker.sessions.disconnect('p')).toBe(false)
    expect(await broker.sessions.disconnect('nobody')).toBe(false)
  })
})
