import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

const refused: [string, Record<string, string>][] = [
  ['no Authorization header', {}],
  ['a wrong token', { authorization: 'Bearer not-the-token' }],
  ['another scheme', { authorization: 'Basic b3BlcmF0b3I6c2VjcmV0' }],
  ['an empty bearer', { authorization: 'Bearer ' }],
]

test.each(refused)(
  'with %s, POST and DELETE are 401 and change nothing',
  async (_what, headers) => {
    const broker = await startBroker({ store: 'memory', adminToken: 'correct horse' })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })

    const disconnect = await call<ErrorAnswer>(broker, sessionPath('dev', '/disconnect'), {
      method: 'POST',
      headers,
    })
    expect(disconnect.status).toBe(401)
    expect(disconnect.body.error.code).toBe('UNAUTHORIZED')
    expect(disconnect.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const del = await call<ErrorAnswer>(broker, sessionPath('dev'), { method: 'DELETE', headers })
    expect(del.status).toBe(401)
    expect(del.body.error.code).toBe('UNAUTHORIZED')

    await client.ping() // still connected
    expect((await call(broker, sessionPath('dev'))).status).toBe(200)
  },
)

test('the configured token is accepted, and reading needs no token', async () => {
  const broker = await startBroker({ store: 'memory', adminToken: 'correct horse' })
  expect(broker.adminToken).toMatchObject({ token: 'correct horse', source: 'config' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
  expect((await call(broker, '/api/sessions')).status).toBe(200)
  const answer = await call(broker, sessionPath('dev', '/disconnect'), {
    method: 'POST',
    token: 'correct horse',
  })
  expect(answer.status).toBe(200)
  await client.waitClosed()
})
