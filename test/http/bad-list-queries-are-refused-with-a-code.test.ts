import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { call, type ErrorAnswer } from './http-client.ts'

const cases: [string, string, string][] = [
  ['a limit over 1000 (not clamped)', 'limit=1001', 'BAD_REQUEST'],
  ['a huge limit', 'limit=99999999999999999999', 'BAD_REQUEST'],
  ['a limit of 0', 'limit=0', 'BAD_REQUEST'],
  ['a negative limit', 'limit=-5', 'BAD_REQUEST'],
  ['a non-numeric limit', 'limit=ten', 'BAD_REQUEST'],
  ['a fractional limit', 'limit=2.5', 'BAD_REQUEST'],
  ['an unknown state', 'state=sleeping', 'BAD_REQUEST'],
  ['a repeated parameter', 'state=online&state=offline', 'BAD_REQUEST'],
  ['an unknown parameter', 'limt=10', 'BAD_REQUEST'],
  ['a cursor the broker never issued', 'cursor=not-a-cursor', 'BAD_CURSOR'],
  ['a cursor of random bytes', `cursor=${encodeURIComponent('\u0000\uffff%%')}`, 'BAD_CURSOR'],
  ['an empty cursor', 'cursor=', 'BAD_CURSOR'],
]

test.each(cases)('GET /api/sessions with %s is a 400 with its code', async (_what, query, code) => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, `/api/sessions?${query}`)
  expect(answer.status).toBe(400)
  expect(answer.body.error.code).toBe(code)
  expect(answer.body.error.reason).toEqual(expect.any(String))
})

test('limits 1 and 1000 are accepted', async () => {
  const broker = await startBroker({ store: 'memory' })
  expect((await call(broker, '/api/sessions?limit=1')).status).toBe(200)
  expect((await call(broker, '/api/sessions?limit=1000')).status).toBe(200)
})
