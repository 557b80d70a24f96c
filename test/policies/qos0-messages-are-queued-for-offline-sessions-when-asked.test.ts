import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { drain } from '../store/contract-helpers.ts'
import { goOffline, received, unreadPublishes } from './traffic.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  test('with --queue-qos0, an offline session gets its QoS 0 messages on resume, once, without packet ids', async () => {
    const broker = await startBroker({ store, queueQos0: true })
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('t/#', 0)
    await first.client.subscribe('u', 1, 2)
    await goOffline(broker, first.client)
    // An online subscriber: once it has a message, so has the store.
    const { client: watcher } = await RawClient.connect(url, { clientId: 'watcher' })
    await watcher.subscribe('#', 0)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 't/1', 'zero', 0)
    await publish(pub, 'u', 'one', 1, 1)
    await publish(pub, 't/2', 'one-at-qos0', 1, 2) // through a QoS 0 subscription: QoS 0
    await received(watcher, 3)
    expect(broker.policies.counters.queuedQos0).toBe(2)

    const resumed = await RawClient.connect(url, { clientId: 'device', clean: false })
    const packets = await received(resumed.client, 3)
    expect(packets.map((p) => [p.topic, p.payload.toString(), p.qos, p.dup])).toEqual([
      ['t/1', 'zero', 0, false],
      ['u', 'one', 1, false],
      ['t/2', 'one-at-qos0', 0, false],
    ])
    expect(packets[0].messageId).toBeUndefined()
    expect(packets[2].messageId).toBeUndefined()
    resumed.client.send({ cmd: 'puback', messageId: packets[1].messageId })
    await goOffline(broker, resumed.client)

    // Sent once: gone from the queue, not resent on the next resume [MQTT-4.3.1].
    expect(await drain(broker.store.outgoingStream({ id: 'device' }))).toEqual([])
    const third = await RawClient.connect(url, { clientId: 'device', clean: false })
    await third.client.ping()
    expect(unreadPublishes(third.client)).toEqual([])
  })

  test('with --queue-qos0, a connected persistent session gets its QoS 0 messages live only', async () => {
    const broker = await startBroker({ store, queueQos0: true })
    const url = broker.urls.mqtt
    const { client: device } = await RawClient.connect(url, { clientId: 'device', clean: false })
    await device.subscribe('t', 0)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 't', 'live', 0)

    expect((await received(device, 1))[0].payload.toString()).toBe('live')
    expect(await drain(broker.store.outgoingStream({ id: 'device' }))).toEqual([])
  })

  test('by default, QoS 0 messages are not queued for an offline session', async () => {
    const broker = await startBroker({ store })
    const url = broker.urls.mqtt
    const first = await RawClient.connect(url, { clientId: 'device', clean: false })
    await first.client.subscribe('t/#', 0)
    await goOffline(broker, first.client)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'watcher' })
    await watcher.subscribe('#', 0)

    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    await publish(pub, 't/1', 'zero', 0)
    await publish(pub, 't/2', 'one-at-qos0', 1, 1)
    await received(watcher, 2)

    expect(await drain(broker.store.outgoingStream({ id: 'device' }))).toEqual([])
    expect(broker.policies.counters.queuedQos0).toBe(0)
  })
})
