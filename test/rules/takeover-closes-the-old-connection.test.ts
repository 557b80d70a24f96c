import { describe, expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

const will = { topic: 'status/dev', payload: 'offline', qos: 1 as const }

describe.each(transports)('over %s', (transport) => {
  test('a second connection with the same ClientID closes the first and publishes its Will', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'watcher' })
    await watcher.subscribe('status/#', 1)
    const old = await RawClient.connect(url, { clientId: 'dev', clean: false, will })
    await old.client.subscribe('cmd/dev', 1)

    const next = await RawClient.connect(url, { clientId: 'dev', clean: false })
    expect(next.connack.returnCode).toBe(0)
    expect(next.connack.sessionPresent).toBe(true)
    await old.client.waitClosed() // [MQTT-3.1.4-2]
    const published = await watcher.next('publish') // [MQTT-3.1.2-8]
    expect([published.topic, published.payload.toString()]).toEqual(['status/dev', 'offline'])
    expect(liveClientIds(broker.aedes).sort()).toEqual(['dev', 'watcher'])
  })

  test('with --takeover-will suppress the old Will is not published', async () => {
    const broker = await startBroker({ takeoverWill: 'suppress' })
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'watcher' })
    await watcher.subscribe('status/#', 1)
    const old = await RawClient.connect(url, { clientId: 'dev', clean: false, will })
    await RawClient.connect(url, { clientId: 'dev', clean: false })
    await old.client.waitClosed()
    // a message published after the takeover arrives first: the Will never came
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send({
      cmd: 'publish',
      topic: 'status/probe',
      payload: Buffer.from('probe'),
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    })
    const next = await watcher.next('publish')
    expect(next.topic).toBe('status/probe')
  })

  test("after a takeover the new connection's Will is the one kept for a crash", async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'watcher' })
    await watcher.subscribe('status/#', 1)
    const old = await RawClient.connect(url, { clientId: 'dev', clean: false, will })
    await RawClient.connect(url, {
      clientId: 'dev',
      clean: false,
      will: { ...will, payload: 'offline (second connection)' },
    })
    await old.client.waitClosed()
    expect((await watcher.next('publish')).payload.toString()).toBe('offline')
    // aedes deletes the old Will by ClientID once published: by now it has asked
    await watcher.ping()
    await broker.store.flush()
    const stored = await broker.store.getWill({ id: 'dev' })
    expect(stored && Buffer.from(stored.payload).toString()).toBe('offline (second connection)')
  })
})
