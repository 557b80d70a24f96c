import { expect, test } from 'vitest'
import type { SessionView } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

const awkward = ['site/7/pump', '100%done', 'with space', 'Zürich-温度-✓', 'a%2Fb']

test.each(awkward)(
  'GET /api/sessions/:clientId finds %j, encoded as one path segment',
  async (clientId) => {
    const broker = await startBroker({ store: 'memory' })
    const { client } = await RawClient.connect(broker.urls.mqtt, {
      clientId,
      clean: false,
      keepalive: 30,
      will: { topic: 'status/pump', payload: 'gone', qos: 1, retain: true },
    })
    await client.subscribe('site/7/#', 2)

    const answer = await call<SessionView>(broker, sessionPath(clientId))
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      clientId,
      connected: true,
      clean: false,
      protocolVersion: 4,
      keepalive: 30,
      subscriptions: [{ topic: 'site/7/#', qos: 2 }],
      will: { topic: 'status/pump', qos: 1, retain: true, payloadBytes: 4 },
      queue: { count: 0 },
    })
    expect(answer.body.history.map((e) => e.type)).toContain('connect')
  },
)

test('an unknown ClientID is a 404 with code NOT_FOUND', async () => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, sessionPath('nobody/here'))
  expect(answer.status).toBe(404)
  expect(answer.body.error.code).toBe('NOT_FOUND')
  expect(answer.body.error.reason).toContain('nobody/here')
})

test('a malformed percent-escape is a 400, not a crash', async () => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, '/api/sessions/%E0%A4%A')
  expect(answer.status).toBe(400)
  expect(answer.body.error.code).toBe('BAD_REQUEST')
})
