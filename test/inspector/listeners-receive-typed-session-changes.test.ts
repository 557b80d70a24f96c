import { describe, expect, test } from 'vitest'
import type { SessionChange } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

test('a session’s life arrives as typed events, in order', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory' }, { clock })
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
  await client.subscribe('t', 1)
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  await publish(pub, 't', 'hello', 1, 1)
  const received = await client.next('publish')
  client.send({ cmd: 'puback', messageId: received.messageId })
  await changes.next('delivered', 'dev')
  await client.disconnect()
  await changes.next('disconnect', 'dev')

  const at = clock.now()
  expect(changes.all.filter((c) => c.clientId === 'dev')).toEqual([
    {
      clientId: 'dev',
      event: {
        type: 'connect',
        at,
        clean: false,
        sessionPresent: false,
        remoteAddress: expect.stringMatching(/^127\.0\.0\.1:/),
        protocolVersion: 4,
        keepalive: 0,
        username: null,
      },
    },
    { clientId: 'dev', event: { type: 'subscribe', at, topic: 't', qos: 1 } },
    { clientId: 'dev', event: { type: 'delivered', at, topic: 't', qos: 1 } },
    { clientId: 'dev', event: { type: 'disconnect', at, reason: 'client' } },
  ] satisfies SessionChange[])
})

test('an unsubscribed listener hears nothing more; a failing one does not stop the others', async () => {
  const broker = await startBroker({ store: 'memory' })
  const heard: string[] = []
  const stop = broker.sessions.onChange((c) => heard.push(`first:${c.event.type}`))
  broker.sessions.onChange(() => {
    throw new Error('listener bug')
  })
  const changes = new SessionChanges(broker.sessions)

  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'a' })
  await changes.next('connect', 'a')
  stop()
  await client.disconnect()
  await changes.next('disconnect', 'a')

  expect(heard).toEqual(['first:connect'])
})

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('drops and queueing reported to the sink are in the history and the dropped count', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    await client.destroy()
    await changes.next('disconnect', 'p')
    await RawClient.connect(broker.urls.mqtt, { clientId: 'c' })
    await changes.next('connect', 'c')

    const at = Date.now()
    broker.sessions.record('p', { type: 'queued', at, topic: 't', qos: 1, bytes: 5 })
    broker.sessions.record('p', { type: 'dropped', at, topic: 't', bytes: 5, why: 'queue-full' })
    broker.sessions.record('p', { type: 'dropped', at, topic: 't', bytes: 9, why: 'queue-bytes' })
    broker.sessions.record('c', { type: 'dropped', at, topic: 't', bytes: 1, why: 'queue-full' })

    expect(await changes.next('dropped', 'p')).toMatchObject({ event: { why: 'queue-full' } })
    const persistent = await broker.sessions.get('p')
    expect(persistent?.dropped).toBe(2)
    expect(persistent?.history.slice(-3).map((e) => e.type)).toEqual([
      'queued',
      'dropped',
      'dropped',
    ])
    expect((await broker.sessions.get('c'))?.dropped).toBe(1)
    const page = await broker.sessions.list({ limit: 10 })
    expect(page.sessions.map((s) => [s.clientId, s.dropped])).toEqual([
      ['c', 1],
      ['p', 2],
    ])
  })
})

test('the history keeps only the newest --history-size events', async () => {
  const broker = await startBroker({ store: 'memory', historySize: 3 })
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'h' })
  for (let i = 1; i <= 4; i++) await client.subscribe(`t/${i}`, 0, i)
  await changes.next('subscribe', 'h')

  const history = (await broker.sessions.get('h'))?.history ?? []
  expect(history.map((e) => (e.type === 'subscribe' ? e.topic : e.type))).toEqual([
    't/2',
    't/3',
    't/4',
  ])
})
