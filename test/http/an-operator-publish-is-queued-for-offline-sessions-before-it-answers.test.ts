import { expect, test } from 'vitest'
import { createBroker } from '../../broker/broker.ts'
import type { QueuePage } from '../../broker/inspector/types.ts'
import { startBroker, tempDir, testConfig } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, sessionPath } from './http-client.ts'

function publishBody(message: { topic: string; payload: string; qos?: number; retain?: boolean }) {
  return {
    method: 'POST',
    token: true as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  }
}

/** A persistent session subscribed to `plant/#` at `qos`, then offline. */
async function offlineSubscriber(url: string, qos: 0 | 1 | 2): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
  await client.subscribe('plant/#', qos)
  await client.disconnect()
}

test.each(['sqlite', 'memory'] as const)(
  'on %s, a QoS 1 publish is in the offline session queue when the 200 comes, and is delivered on resume',
  async (store) => {
    const broker = await startBroker({ store })
    await offlineSubscriber(broker.urls.mqtt, 1)

    const answer = await call(
      broker,
      '/api/publish',
      publishBody({ topic: 'plant/boiler/setpoint', payload: '82', qos: 1 }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      published: true,
      topic: 'plant/boiler/setpoint',
      qos: 1,
      retain: false,
      payloadBytes: 2,
    })
    // read straight from the store, in the turn the answer arrived
    const [queued] = await broker.store.listOutgoing('dev1', { limit: 10 })
    expect(queued).toMatchObject({ topic: 'plant/boiler/setpoint', qos: 1, messageId: null })

    const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'dev1',
      clean: false,
    })
    const delivered = await dev.next('publish')
    expect(delivered).toMatchObject({ topic: 'plant/boiler/setpoint', qos: 1, dup: false })
    expect(String(delivered.payload)).toBe('82')
    dev.send({ cmd: 'puback', messageId: delivered.messageId })
    await dev.ping()
    expect((await call<QueuePage>(broker, sessionPath('dev1', '/queue'))).body.entries).toEqual([])
  },
)

test('no answer comes while the write to the offline session queue is held back', async () => {
  const broker = await startBroker({ store: 'memory' })
  await offlineSubscriber(broker.urls.mqtt, 1)
  // the store's own enqueue, held until the test lets it go
  const { store } = broker
  const enqueue = store.outgoingEnqueueCombi.bind(store)
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let reached = () => {}
  const writing = new Promise<void>((resolve) => {
    reached = resolve
  })
  store.outgoingEnqueueCombi = async (subs, packet) => {
    reached()
    await released
    return enqueue(subs, packet)
  }
  let answered = false
  const answer = call(
    broker,
    '/api/publish',
    publishBody({ topic: 'plant/t', payload: 'x', qos: 1 }),
  )
  answer.then(() => {
    answered = true
  })

  await writing
  // a whole round trip on the same server: an answer written before the write would be in by now
  expect((await call(broker, '/healthz')).status).toBe(200)
  expect(answered).toBe(false)
  release()
  expect((await answer).status).toBe(200)
  expect(await store.listOutgoing('dev1', { limit: 10 })).toHaveLength(1)
})

test('a QoS 2 publish reaches each session at the QoS its subscription grants', async () => {
  const broker = await startBroker({ store: 'memory' })
  await offlineSubscriber(broker.urls.mqtt, 1)

  await call(broker, '/api/publish', publishBody({ topic: 'plant/x', payload: 'y', qos: 2 }))

  const queue = await call<QueuePage>(broker, sessionPath('dev1', '/queue'))
  expect(queue.body.entries).toMatchObject([{ topic: 'plant/x', qos: 1, state: 'queued' }])
})

test('with --queue-qos0 a QoS 0 publish is queued for an offline session, as a client publish is', async () => {
  // aedes queues no QoS 0 message: only the publish stages' commit, which
  // the operator's publish goes through too, queues it
  const broker = await startBroker({ store: 'memory', queueQos0: true })
  await offlineSubscriber(broker.urls.mqtt, 1)

  await call(broker, '/api/publish', publishBody({ topic: 'plant/y', payload: 'zero' }))

  const queue = await call<QueuePage>(broker, sessionPath('dev1', '/queue'))
  expect(queue.body.entries).toMatchObject([{ topic: 'plant/y', qos: 0, preview: 'zero' }])
  const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
  })
  expect(await dev.next('publish')).toMatchObject({ topic: 'plant/y', qos: 0 })
})

test('a connected subscriber gets the message live, and the publish is written to the log', async () => {
  const lines: string[] = []
  const log = {
    level: 'info' as const,
    error: () => {},
    warn: () => {},
    info: (message: string) => lines.push(message),
    debug: () => {},
  }
  const broker = await createBroker(
    testConfig({ store: 'memory', dataDir: tempDir() }),
    log as Parameters<typeof createBroker>[1],
  )
  try {
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'live' })
    await client.subscribe('plant/#', 2)

    const answer = await call(
      broker,
      '/api/publish',
      publishBody({ topic: 'plant/z', payload: 'now', qos: 2, retain: false }),
    )
    expect(answer.status).toBe(200)
    const got = await client.next('publish')
    expect(got).toMatchObject({ topic: 'plant/z', qos: 2, retain: false })
    expect(String(got.payload)).toBe('now')
    expect(lines).toContain('HTTP API: operator published "plant/z" (QoS 2, 3 bytes)')
  } finally {
    await broker.close()
  }
})
