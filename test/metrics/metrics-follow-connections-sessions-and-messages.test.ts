import { expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call } from '../http/http-client.ts'
import { sample } from './prom-text.ts'

async function scrape(broker: BrokerHandle): Promise<string> {
  const answer = await call<string>(broker, '/metrics')
  expect(answer.status).toBe(200)
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return answer.text
}

/** Sends a PUBLISH without waiting: the test awaits what it is about. */
function publish(client: RawClient, topic: string, qos: 0 | 1 | 2, messageId: number) {
  client.send(publishPacket(topic, `m${messageId}`, qos, messageId))
}

test('/metrics names every documented metric, all zero on a fresh broker', async () => {
  const broker = await startBroker()
  const text = await scrape(broker)
  expect(sample(text, 'sessionlab_connections')).toBe(0)
  expect(sample(text, 'sessionlab_sessions', { state: 'online' })).toBe(0)
  expect(sample(text, 'sessionlab_sessions', { state: 'offline' })).toBe(0)
  expect(sample(text, 'sessionlab_queued_messages')).toBe(0)
  expect(sample(text, 'sessionlab_inflight_messages')).toBe(0)
  expect(sample(text, 'sessionlab_expired_sessions_total')).toBe(0)
  for (const reason of ['queue-full', 'queue-bytes']) {
    expect(sample(text, 'sessionlab_dropped_messages_total', { reason })).toBe(0)
  }
  for (const qos of ['0', '1', '2']) {
    expect(sample(text, 'sessionlab_messages_received_total', { qos })).toBe(0)
    expect(sample(text, 'sessionlab_messages_sent_total', { qos })).toBe(0)
  }
  // prom-client's process metrics ride along
  expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
  expect(text).toContain('# TYPE sessionlab_messages_received_total counter')
  expect(text).toContain('# TYPE sessionlab_sessions gauge')
})

test('connections, sessions and messages in and out by QoS change as clients connect and publish', async () => {
  const broker = await startBroker()
  const url = broker.urls.mqtt
  const { client: sub } = await RawClient.connect(url, { clientId: 'sub', clean: false })
  await sub.subscribe('t/#', 2)
  const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })

  publish(pub, 't/0', 0, 1)
  publish(pub, 't/1', 1, 2)
  await pub.next('puback')
  publish(pub, 't/2', 2, 3)
  await pub.next('pubrec')
  pub.send({ cmd: 'pubrel', messageId: 3 })
  await pub.next('pubcomp')
  const got = [await sub.next('publish'), await sub.next('publish'), await sub.next('publish')]
  expect(got.map((p) => p.qos).sort()).toEqual([0, 1, 2])

  let text = await scrape(broker)
  expect(sample(text, 'sessionlab_connections')).toBe(2)
  expect(sample(text, 'sessionlab_sessions', { state: 'online' })).toBe(2)
  expect(sample(text, 'sessionlab_sessions', { state: 'offline' })).toBe(0)
  for (const qos of ['0', '1', '2']) {
    expect(sample(text, 'sessionlab_messages_received_total', { qos }), `in ${qos}`).toBe(1)
    expect(sample(text, 'sessionlab_messages_sent_total', { qos }), `out ${qos}`).toBe(1)
  }
  // sent, not acknowledged yet
  expect(sample(text, 'sessionlab_inflight_messages')).toBe(2)

  for (const p of got.filter((p) => p.qos === 1))
    sub.send({ cmd: 'puback', messageId: p.messageId })
  for (const p of got.filter((p) => p.qos === 2))
    sub.send({ cmd: 'pubrec', messageId: p.messageId })
  await sub.next('pubrel')
  sub.send({ cmd: 'pubcomp', messageId: got.find((p) => p.qos === 2)?.messageId })
  await sub.disconnect()
  publish(pub, 't/q', 1, 4)
  await pub.next('puback')
  publish(pub, 't/q', 1, 5)
  await pub.next('puback')

  text = await scrape(broker)
  expect(sample(text, 'sessionlab_connections')).toBe(1)
  expect(sample(text, 'sessionlab_sessions', { state: 'online' })).toBe(1)
  expect(sample(text, 'sessionlab_sessions', { state: 'offline' })).toBe(1)
  expect(sample(text, 'sessionlab_queued_messages')).toBe(2)
  expect(sample(text, 'sessionlab_inflight_messages')).toBe(0)
  expect(sample(text, 'sessionlab_messages_received_total', { qos: '1' })).toBe(3)
  expect(sample(text, 'sessionlab_messages_sent_total', { qos: '1' })).toBe(1)
})

test('messages resent from a resumed queue count as sent', async () => {
  const broker = await startBroker({ store: 'memory' })
  const url = broker.urls.mqtt
  const first = await RawClient.connect(url, { clientId: 'sub', clean: false })
  await first.client.subscribe('q', 1)
  await first.client.disconnect()
  const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
  publish(pub, 'q', 1, 1)
  await pub.next('puback')

  const again = await RawClient.connect(url, { clientId: 'sub', clean: false })
  const queued = await again.client.next('publish')
  again.client.send({ cmd: 'puback', messageId: queued.messageId })
  await again.client.ping()
  const text = await scrape(broker)
  expect(sample(text, 'sessionlab_messages_sent_total', { qos: '1' })).toBe(1)
  expect(sample(text, 'sessionlab_queued_messages')).toBe(0)
})
