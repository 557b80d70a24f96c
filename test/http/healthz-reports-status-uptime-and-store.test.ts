import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { call } from './http-client.ts'

test.each(['sqlite', 'memory'] as const)('GET /healthz on the %s store', async (store) => {
  const broker = await startBroker({ store })
  const answer = await call<{ status: string; uptime: number; store: string }>(broker, '/healthz')
  expect(answer.status).toBe(200)
  expect(answer.body).toEqual({ status: 'ok', uptime: expect.any(Number), store })
  expect(answer.body.uptime).toBeGreaterThanOrEqual(0)
})
