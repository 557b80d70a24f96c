import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('queued messages count, with their bytes and the age of the oldest', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const { client: sub } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'sub',
      clean: false,
    })
    await sub.subscribe('q/#', 1)
    const wentOffline = clock.now()
    await sub.destroy()
    expect((await changes.next('disconnect', 'sub')).event.reason).toBe('network')
    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })

    await publish(pub, 'q/1', 'first', 1, 1)
    clock.advance(1000)
    await publish(pub, 'q/2', 'second!', 1, 2)
    await publish(pub, 'q/3', 'third', 1, 3)
    clock.advance(500)

    const view = await broker.sessions.get('sub')
    expect(view).toMatchObject({
      connected: false,
      clean: false,
      disconnectedAt: wentOffline,
      lastActivity: wentOffline,
      queue: { count: 3, bytes: 5 + 7 + 5, oldestAgeMs: 1500 },
      inflight: 0,
    })
    const page = await broker.sessions.list({ limit: 10, state: 'offline' })
    expect(page.sessions).toEqual([
      {
        clientId: 'sub',
        state: 'offline',
        connected: false,
        node: null,
        clean: false,
        // what its last CONNECT said, kept by the store for the offline session
        protocolVersion: 4,
        username: null,
        remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        connectedAt: wentOffline,
        disconnectedAt: wentOffline,
        lastActivity: wentOffline,
        inflight: 0,
        dropped: 0,
        ended: null,
        queued: 3,
        subscriptions: 1,
      },
    ])
  })

  test('a resumed session moves its queue in flight until each message is acknowledged', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client: first } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'sub',
      clean: false,
    })
    await first.subscribe('q/#', 1)
    await first.destroy()
    await changes.next('disconnect', 'sub')
    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    for (let i = 1; i <= 3; i++) await publish(pub, `q/${i}`, `m${i}`, 1, i)

    const { client: sub, connack } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'sub',
      clean: false,
    })
    expect(connack.sessionPresent).toBe(true)
    const received = [
      await sub.next('publish'),
      await sub.next('publish'),
      await sub.next('publish'),
    ]
    expect((await broker.sessions.get('sub'))?.queue.count).toBe(0)
    expect((await broker.sessions.get('sub'))?.inflight).toBe(3)

    sub.send({ cmd: 'puback', messageId: received[0].messageId })
    await sub.ping()

    const delivered = await changes.next('delivered', 'sub')
    expect(delivered.event).toMatchObject({ topic: 'q/1', qos: 1 })
    expect((await broker.sessions.get('sub'))?.inflight).toBe(2)
    const page = await broker.sessions.list({ limit: 10, state: 'online' })
    expect(page.sessions.find((s) => s.clientId === 'sub')).toMatchObject({
      connected: true,
      inflight: 2,
      queued: 0,
    })
  })
})
