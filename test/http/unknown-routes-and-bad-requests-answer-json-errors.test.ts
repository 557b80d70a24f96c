import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

test('an unknown route is a 404 with a JSON error body', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const path of ['/', '/api', '/api/session', '/api/sessions/a/b/c', '/favicon.ico']) {
    const answer = await call<ErrorAnswer>(broker, path)
    expect(answer.status, path).toBe(404)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(answer.body.error.code).toBe('NOT_FOUND')
  }
})

test('a known route with the wrong method is a 405 naming the allowed ones', async () => {
  const broker = await startBroker({ store: 'memory' })
  const put = await call<ErrorAnswer>(broker, sessionPath('dev'), { method: 'PUT', token: true })
  expect(put.status).toBe(405)
  expect(put.body.error.code).toBe('METHOD_NOT_ALLOWED')
  expect(put.headers.get('allow')).toBe('GET, DELETE')
  const get = await call<ErrorAnswer>(broker, sessionPath('dev', '/disconnect'))
  expect(get.status).toBe(405)
  expect(get.headers.get('allow')).toBe('POST')
})

test('a request body over the limit is a 413, malformed JSON a 400', async () => {
  const broker = await startBroker({ store: 'memory' })
  const headers = { 'content-type': 'application/json' }
  const big = await call<ErrorAnswer>(broker, sessionPath('dev', '/disconnect'), {
    method: 'POST',
    token: true,
    headers,
    body: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }),
  })
  expect(big.status).toBe(413)
  expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  const bad = await call<ErrorAnswer>(broker, sessionPath('dev', '/disconnect'), {
    method: 'POST',
    token: true,
    headers,
    body: '{"unterminated',
  })
  expect(bad.status).toBe(400)
  expect(bad.body.error.code).toBe('BAD_REQUEST')
})

test('every answer, error or not, carries the security headers', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const path of ['/api/sessions', '/api/sessions/nobody', '/nope', '/healthz', '/metrics']) {
    const answer = await call(broker, path)
    expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff')
    expect(answer.headers.get('cache-control'), path).toBe('no-store')
    expect(answer.headers.get('x-frame-options'), path).toBe('DENY')
    expect(answer.headers.get('x-powered-by'), path).toBeNull()
  }
})
