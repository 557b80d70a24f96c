import { expect, test } from 'vitest'
import type { QueuePage } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call, sessionPath } from './http-client.ts'

/** A persistent session subscribed to `plant/#` at QoS 2, then offline. */
async function offlineSubscriber(url: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
  await client.subscribe('plant/#', 2)
  await client.disconnect()
}

test.each(['sqlite', 'memory'] as const)(
  'on %s, the queue lists each message a publisher sent, in order, with what it holds',
  async (store) => {
    const broker = await startBroker({ store })
    await offlineSubscriber(broker.urls.mqtt)
    const before = Date.now()
    const { client: publisher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    await publish(publisher, 'plant/boiler/temp', '81', 1, 1)
    await publish(publisher, 'plant/boiler/raw', Buffer.from([0, 1, 2, 0xff]), 2, 2)
    await publish(publisher, 'plant/log', 'x'.repeat(100), 1, 3)

    const answer = await call<QueuePage>(broker, sessionPath('dev1', '/queue'))

    expect(answer.status).toBe(200)
    expect(answer.body.clientId).toBe('dev1')
    expect(answer.body.next).toBeNull()
    const entries = answer.body.entries
    expect(entries.map((e) => [e.topic, e.qos, e.payloadBytes])).toEqual([
      ['plant/boiler/temp', 1, 2],
      ['plant/boiler/raw', 2, 4],
      ['plant/log', 1, 100],
    ])
    for (const entry of entries) {
      expect(entry).toMatchObject({
        state: 'queued',
        awaiting: null,
        messageId: null,
        dup: false,
        retain: false,
      })
      expect(entry.queuedAt).toBeGreaterThanOrEqual(before)
    }
    expect(entries.map((e) => [e.preview, e.previewKind])).toEqual([
      ['81', 'text'],
      ['000102ff', 'hex'],
      // only the first 64 bytes are read, and the cut says so
      [`${'x'.repeat(64)}…`, 'text'],
    ])
    expect(entries[0].seq).toBeLessThan(entries[1].seq)
    expect(entries[1].seq).toBeLessThan(entries[2].seq)
  },
)

test('entries a subscriber got and did not acknowledge are in flight, a PUBREL among them, and a PUBACK takes one out', async () => {
  const broker = await startBroker()
  const changes = new SessionChanges(broker.sessions)
  await offlineSubscriber(broker.urls.mqtt)
  const { client: publisher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  await publish(publisher, 'plant/a', 'first', 1, 1)
  await publish(publisher, 'plant/b', 'second', 2, 2)
  await publish(publisher, 'plant/c', 'third', 1, 3)

  // the session resumes and gets its queue; it answers PUBREC to the QoS 2 message, nothing else
  const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
  })
  const got = [await dev.next('publish'), await dev.next('publish'), await dev.next('publish')]
  expect(got.map((p) => p.topic)).toEqual(['plant/a', 'plant/b', 'plant/c'])
  dev.send({ cmd: 'pubrec', messageId: got[1].messageId })
  // sent once the PUBREL replaced the PUBLISH in the store
  await dev.next('pubrel')
  await dev.destroy()
  await changes.next('disconnect', 'dev1')

  const queue = await call<QueuePage>(broker, sessionPath('dev1', '/queue'))
  expect(queue.body.entries).toMatchObject([
    {
      state: 'inflight',
      awaiting: 'puback',
      messageId: got[0].messageId,
      topic: 'plant/a',
      dup: true,
      preview: 'first',
    },
    {
      state: 'inflight',
      awaiting: 'pubcomp',
      messageId: got[1].messageId,
      topic: null,
      qos: 2,
      dup: false,
      payloadBytes: null,
      preview: null,
      previewKind: null,
    },
    { state: 'inflight', awaiting: 'puback', messageId: got[2].messageId, topic: 'plant/c' },
  ])

  // back again: the PUBACK of the first takes it off the queue
  const { client: again } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
  })
  const resent = await again.next('publish')
  expect(resent).toMatchObject({ topic: 'plant/a', dup: true, messageId: got[0].messageId })
  again.send({ cmd: 'puback', messageId: got[0].messageId })
  await again.ping()
  const after = await call<QueuePage>(broker, sessionPath('dev1', '/queue'))
  expect(after.body.entries.map((e) => e.awaiting)).toEqual(['pubcomp', 'puback'])
})
