import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

const stores = ['sqlite', 'memory'] as const

describe.each(stores)('on the %s store', (store) => {
  test('a persistent client is online with its CONNECT details, Will and connect event', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const { connack } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'dev-1',
      clean: false,
      keepalive: 30,
      username: 'alice',
      will: { topic: 'status/dev-1', payload: 'offline', qos: 1, retain: true },
    })
    const { event } = await changes.next('connect', 'dev-1')

    const view = await broker.sessions.get('dev-1')

    expect(view).toMatchObject({
      clientId: 'dev-1',
      connected: true,
      clean: false,
      protocolVersion: 4,
      keepalive: 30,
      username: 'alice',
      connectedAt: clock.now(),
      disconnectedAt: null,
      lastActivity: clock.now(),
      will: {
        topic: 'status/dev-1',
        qos: 1,
        retain: true,
        payloadBytes: 7,
        preview: 'offline',
        previewKind: 'text',
      },
      subscriptions: [],
      queue: { count: 0, bytes: 0, oldestAgeMs: null },
      inflight: 0,
      incomingAwaitingPubrel: 0,
      dropped: 0,
      takeovers: 0,
    })
    expect(view?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(event).toEqual({
      type: 'connect',
      at: clock.now(),
      clean: false,
      sessionPresent: connack.sessionPresent,
      remoteAddress: view?.remoteAddress,
      protocolVersion: 4,
      keepalive: 30,
      username: 'alice',
    })
    expect(view?.history).toEqual([event])
  })

  test('every packet from the client is activity', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store }, { clock })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    const connectedAt = clock.now()
    clock.advance(5000)

    await client.ping()

    expect(await broker.sessions.get('dev')).toMatchObject({
      connectedAt,
      lastActivity: connectedAt + 5000,
    })
  })

  test('a clean client is online as a clean session and gone once it disconnects', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'temp',
      protocolVersion: 3,
    })
    await changes.next('connect', 'temp')

    expect(await broker.sessions.get('temp')).toMatchObject({
      connected: true,
      clean: true,
      protocolVersion: 3,
      username: null,
      will: null,
    })

    await client.disconnect()
    await changes.next('disconnect', 'temp')
    // a clean session ends with its connection: only its end is shown
    expect(await broker.sessions.get('temp')).toMatchObject({
      state: 'ended',
      connected: false,
      ended: { reason: 'client' },
    })
  })
})

describe.each(transports)('over %s', (transport) => {
  test('the remote address is the peer of the connection', async () => {
    const broker = await startBroker({ store: 'memory' })
    const changes = new SessionChanges(broker.sessions)
    await RawClient.connect(urlFor(broker, transport), { clientId: 'peer' })
    await changes.next('connect', 'peer')
    expect((await broker.sessions.get('peer'))?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
  })
})

test('a binary Will is shown as hex, never raw', async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  await RawClient.connect(broker.urls.mqtt, {
    clientId: 'bin',
    will: { topic: 'w', payload: Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff]) },
  })
  await changes.next('connect', 'bin')

  expect((await broker.sessions.get('bin'))?.will).toEqual({
    topic: 'w',
    qos: 0,
    retain: false,
    payloadBytes: 6,
    preview: '001b5b324aff',
    previewKind: 'hex',
    // 3.1.1 has no Will Delay Interval: published as the connection closes
    delay: 0,
  })
})
