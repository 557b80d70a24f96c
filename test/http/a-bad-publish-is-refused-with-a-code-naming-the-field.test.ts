import { expect, test } from 'vitest'
import type { ErrorCode } from '../../broker/errors.ts'
import type { RetainedPage } from '../../broker/operator/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer } from './http-client.ts'

const json = (value: unknown) => JSON.stringify(value)
const ok = { topic: 't', payload: 'p' }

// --max-topic-length 16, --max-topic-levels 3, --max-packet-size 64 (below)
const refused: [string, string, ErrorCode][] = [
  ['no topic', json({ payload: 'p' }), 'BAD_TOPIC'],
  ['a topic that is not a string', json({ ...ok, topic: 7 }), 'BAD_TOPIC'],
  ['an empty topic', json({ ...ok, topic: '' }), 'BAD_TOPIC'],
  ['a + wildcard', json({ ...ok, topic: 'a/+/b' }), 'BAD_TOPIC'],
  ['a # wildcard', json({ ...ok, topic: 'a/#' }), 'BAD_TOPIC'],
  ['a $SYS/ topic', json({ ...ok, topic: '$SYS/broker/uptime' }), 'BAD_TOPIC'],
  ['U+0000 in the topic', json({ ...ok, topic: 'a\u0000b' }), 'BAD_TOPIC'],
  ['a lone surrogate in the topic', '{"topic":"a\\ud800","payload":"p"}', 'BAD_TOPIC'],
  ['a topic over --max-topic-length', json({ ...ok, topic: 'x'.repeat(17) }), 'BAD_TOPIC'],
  ['a topic over --max-topic-levels', json({ ...ok, topic: 'a/b/c/d' }), 'BAD_TOPIC'],
  ['no payload', json({ topic: 't' }), 'BAD_PAYLOAD'],
  ['a payload that is not a string', json({ ...ok, payload: { value: 1 } }), 'BAD_PAYLOAD'],
  // type byte, Remaining Length, topic length, topic, payload: 1 + 1 + 2 + 1 + 60 = 65, one over
  ['a PUBLISH over --max-packet-size', json({ ...ok, payload: 'x'.repeat(60) }), 'BAD_PAYLOAD'],
  ['a qos of 3', json({ ...ok, qos: 3 }), 'BAD_QOS'],
  ['a qos as text', json({ ...ok, qos: '1' }), 'BAD_QOS'],
  ['a retain that is not a boolean', json({ ...ok, retain: 'yes' }), 'BAD_RETAIN'],
  ['an unknown field', json({ ...ok, dup: true }), 'BAD_REQUEST'],
  ['an array', json([ok]), 'BAD_REQUEST'],
  ['a body that is not JSON', '{"topic":', 'BAD_REQUEST'],
]

test.each(refused)(
  'a publish with %s is a 400 with its code, and nothing is published',
  async (_what, body, code) => {
    const broker = await startBroker({
      store: 'memory',
      maxTopicLength: 16,
      maxTopicLevels: 3,
      maxPacketSize: 64,
    })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
    await client.subscribe('#', 0)

    const answer = await call<ErrorAnswer>(broker, '/api/publish', {
      method: 'POST',
      token: true,
      headers: { 'content-type': 'application/json' },
      body,
    })

    expect(answer.status).toBe(400)
    expect(answer.body.error.code).toBe(code)
    await client.ping()
    expect(client.unread.filter((packet) => packet.cmd === 'publish')).toEqual([])
  },
)

test('a PUBLISH of exactly --max-packet-size is published', async () => {
  const broker = await startBroker({ store: 'memory', maxPacketSize: 64 })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await client.subscribe('t', 0)

  const answer = await call(broker, '/api/publish', {
    method: 'POST',
    token: true,
    headers: { 'content-type': 'application/json' },
    body: json({ ...ok, payload: 'x'.repeat(59), retain: true }),
  })

  expect(answer.status).toBe(200)
  expect((await client.next('publish')).payload.length).toBe(59)
  const retained = await call<RetainedPage>(broker, '/api/retained')
  expect(retained.body.retained.map((r) => r.topic)).toEqual(['t'])
})
