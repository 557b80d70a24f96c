import { expect, test } from 'vitest'
import type { QueuePage, SessionView } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call, sessionPath } from './http-client.ts'

test.each(['sqlite', 'memory'] as const)(
  'on %s, the API shows an MQTT 5 session: Clean Start, expiry, Will delay, subscription options, message expiry',
  async (store) => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await connect5(broker.urls.mqtt, {
      clientId: 'dev5',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      will: {
        topic: 'dev5/gone',
        payload: Buffer.from('bye'),
        qos: 1,
        properties: { willDelayInterval: 30 },
      },
    })
    await client.subscribeAsync('a/#', {
      qos: 1,
      nl: true,
      rap: true,
      rh: 2,
      properties: { subscriptionIdentifier: 7 },
    })
    await client.subscribeAsync('$share/g1/jobs/+', { qos: 1 })

    const online = (await call<SessionView>(broker, sessionPath('dev5'))).body
    expect(online).toMatchObject({
      protocolVersion: 5,
      clean: false,
      cleanStart: false,
      expiry: { interval: 3600, ends: 'after-disconnect', seconds: 3600, at: null },
      will: { topic: 'dev5/gone', delay: 30 },
    })
    expect(online.subscriptions).toEqual([
      {
        topic: 'a/#',
        qos: 1,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        identifier: 7,
      },
      {
        topic: '$share/g1/jobs/+',
        qos: 1,
        shareGroup: 'g1',
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      },
    ])
    // the history names a shared subscription as the client wrote it
    expect(online.history.filter((e) => e.type === 'subscribe').map((e) => e.topic)).toEqual([
      'a/#',
      '$share/g1/jobs/+',
    ])
    const connect = online.history.find((e) => e.type === 'connect')
    expect(connect).toMatchObject({ cleanStart: false, sessionExpiry: 3600, protocolVersion: 5 })

    await client.endAsync()
    await changes.next('disconnect', 'dev5')
    const { client: publisher } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
    await publisher.publishAsync('a/x', 'short-lived', {
      qos: 1,
      properties: { messageExpiryInterval: 120 },
    })
    await publisher.publishAsync('a/y', 'for ever', { qos: 1 })
    await changes.next('queued', 'dev5')
    await changes.next('queued', 'dev5')

    const offline = (await call<SessionView>(broker, sessionPath('dev5'))).body
    expect(offline.state).toBe('offline')
    // the end is the store's record: its disconnect time plus the interval
    expect(offline.expiry).toEqual({
      interval: 3600,
      ends: 'at',
      seconds: 3600,
      at: (offline.disconnectedAt ?? 0) + 3600_000,
    })
    expect(offline.subscriptions[0]).toMatchObject({
      topic: 'a/#',
      retainHandling: 2,
      identifier: 7,
    })

    const queue = (await call<QueuePage>(broker, sessionPath('dev5', '/queue'))).body
    const [expiring, lasting] = queue.entries
    expect(expiring.topic).toBe('a/x')
    expect(expiring.expiresAt).toBeGreaterThan(Date.now() + 100_000)
    expect(expiring.expiresInMs).toBeGreaterThan(100_000)
    expect(expiring.expiresInMs).toBeLessThanOrEqual(120_000)
    expect(lasting).toMatchObject({ topic: 'a/y', expiresAt: null, expiresInMs: null })
  },
)

test('a Session Expiry of 0xFFFFFFFF never ends; 0 ends with the connection; 3.1.1 says CleanSession', async () => {
  const broker = await startBroker({ store: 'memory', sessionExpiry: 600 })
  await connect5(broker.urls.mqtt, {
    clientId: 'forever',
    clean: true,
    properties: { sessionExpiryInterval: 0xffffffff },
  })
  await connect5(broker.urls.mqtt, { clientId: 'brief', clean: true })
  const { client: old } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'v4',
    clean: false,
  })
  await old.disconnect()

  const forever = (await call<SessionView>(broker, sessionPath('forever'))).body
  expect(forever).toMatchObject({
    cleanStart: true,
    clean: false,
    expiry: { interval: 0xffffffff, ends: 'never', seconds: null, at: null },
  })
  const brief = (await call<SessionView>(broker, sessionPath('brief'))).body
  expect(brief).toMatchObject({ clean: true, expiry: { interval: 0, ends: 'connection' } })
  // 3.1.1: no interval; --session-expiry decides, from the recorded disconnect
  const v4 = (await call<SessionView>(broker, sessionPath('v4'))).body
  expect(v4).toMatchObject({ cleanStart: null, protocolVersion: 4 })
  expect(v4.expiry).toEqual({
    interval: null,
    ends: 'at',
    seconds: 600,
    at: (v4.disconnectedAt ?? 0) + 600_000,
  })
})

test("the server's DISCONNECT reason is in the history and in an ended session's reason", async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  // a takeover: the old connection is told 0x8E
  await connect5(broker.urls.mqtt, { clientId: 'dev', properties: { sessionExpiryInterval: 60 } })
  await connect5(broker.urls.mqtt, { clientId: 'dev', properties: { sessionExpiryInterval: 60 } })
  const takeover = await changes.next('disconnect', 'dev')
  expect(takeover.event).toMatchObject({
    reason: 'takeover',
    serverDisconnect: { code: 0x8e, name: 'Session taken over' },
  })

  // a keepalive timeout ends a clean session: 0x8D is why it ended
  const raw = await RawClient.open(broker.urls.mqtt, { protocolVersion: 5 })
  raw.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'quiet',
    clean: true,
    keepalive: 1,
  })
  await raw.next('connack')
  await changes.next('disconnect', 'quiet')
  const ended = (await call<SessionView>(broker, sessionPath('quiet'))).body
  expect(ended.state).toBe('ended')
  expect(ended.ended).toMatchObject({
    reason: 'keepalive',
    serverDisconnect: { code: 0x8d, name: 'Keep Alive timeout' },
  })
  expect(ended.history.at(-1)).toMatchObject({
    type: 'disconnect',
    serverDisconnect: { code: 0x8d },
  })
})

test('a 3.1.1 disconnect carries no server DISCONNECT', async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  await RawClient.connect(broker.urls.mqtt, { clientId: 'v4' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'v4' })
  const { event } = await changes.next('disconnect', 'v4')
  expect(event.reason).toBe('takeover')
  expect(event).not.toHaveProperty('serverDisconnect')
})
