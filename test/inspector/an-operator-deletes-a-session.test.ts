import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

const will = { topic: 'lwt/dev', payload: 'gone', qos: 1 as const }

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('an online session is disconnected, then everything it held is discarded', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'w' })
    await watcher.subscribe('lwt/#', 1)
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      will,
    })
    await client.subscribe('cmd/#', 1)
    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    await publish(pub, 'cmd/1', 'unacked', 1, 1)
    await client.next('publish') // in flight: never acknowledged
    client.send({
      cmd: 'publish',
      topic: 'up',
      payload: Buffer.from('x'),
      qos: 2,
      messageId: 9,
      retain: false,
      dup: false,
    })
    await client.next('pubrec') // incoming QoS 2 state held

    expect(await broker.sessions.delete('dev')).toBe(true)

    await client.waitClosed()
    expect((await watcher.next('publish')).payload.toString()).toBe('gone')
    expect((await changes.next('deleted', 'dev')).event.by).toBe('admin')
    expect(changes.typesOf('dev').slice(-2)).toEqual(['disconnect', 'deleted'])
    expect(await broker.sessions.get('dev')).toBeNull()
    const page = await broker.sessions.list({ limit: 10 })
    expect(page.sessions.map((s) => s.clientId)).toEqual(['pub', 'w'])
    expect(page.counts).toEqual({ online: 2, offline: 0, total: 2 })
    await broker.store.flush()
    expect(await broker.store.subscriptionsByClient({ id: 'dev' })).toEqual([])
    expect((await broker.store.sessionStats(['dev'])).get('dev')).toMatchObject({
      queued: 0,
      inflight: 0,
      incoming: 0,
    })
    expect(await broker.store.getWill({ id: 'dev' })).toBeUndefined()

    const again = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    expect(again.connack.sessionPresent).toBe(false)
    await again.client.ping()
    expect(again.client.unread).toEqual([])
  })

  test('an offline session with a queue is discarded', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    await client.subscribe('cmd/#', 1)
    await client.destroy()
    await changes.next('disconnect', 'dev')
    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    await publish(pub, 'cmd/1', 'queued', 1, 1)

    expect(await broker.sessions.delete('dev')).toBe(true)

    expect(await broker.sessions.get('dev')).toBeNull()
    expect((await broker.store.sessionStats(['dev'])).get('dev')?.queued).toBe(0)
    expect(await broker.store.subscriptionsByTopic('cmd/2')).toEqual([])
    expect(await broker.sessions.delete('dev')).toBe(false)
  })

  test('deleting a ClientID the broker holds nothing for does nothing', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    expect(await broker.sessions.delete('nobody')).toBe(false)
    expect(changes.all).toEqual([])
  })
})
