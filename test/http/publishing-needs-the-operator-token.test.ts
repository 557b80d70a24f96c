import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer } from './http-client.ts'

const refused: [string, Record<string, string>][] = [
  ['no Authorization header', {}],
  ['a wrong token', { authorization: 'Bearer not-the-token' }],
  ['another scheme', { authorization: 'Basic b3BlcmF0b3I6c2VjcmV0' }],
]

test.each(refused)(
  'with %s, POST /api/publish is a 401 and publishes nothing',
  async (_what, headers) => {
    const broker = await startBroker({ store: 'memory', adminToken: 'correct horse' })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
    await client.subscribe('plant/#', 1)

    const answer = await call<ErrorAnswer>(broker, '/api/publish', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'plant/valve', payload: 'open', qos: 1, retain: true }),
    })

    expect(answer.status).toBe(401)
    expect(answer.body.error.code).toBe('UNAUTHORIZED')
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/)
    await client.ping()
    expect(client.unread.filter((packet) => packet.cmd === 'publish')).toEqual([])
    expect(await broker.store.listRetained({ limit: 10 })).toEqual([])
  },
)

test('reading a queue or the retained messages needs no token; GET on /api/publish is a 405', async () => {
  const broker = await startBroker({ store: 'memory', adminToken: 'correct horse' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
  await client.disconnect()

  expect((await call(broker, '/api/sessions/dev/queue')).status).toBe(200)
  expect((await call(broker, '/api/retained')).status).toBe(200)
  const get = await call<ErrorAnswer>(broker, '/api/publish')
  expect(get.status).toBe(405)
  expect(get.headers.get('allow')).toBe('POST')
})
