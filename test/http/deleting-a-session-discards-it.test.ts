import { expect, test } from 'vitest'
import type { SessionPage } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

test('DELETE of an offline session discards it: 404 afterwards, and a resume finds no session', async () => {
  const broker = await startBroker()
  const clientId = 'fleet/truck/7'
  const first = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
  await first.client.subscribe('fleet/truck/7/cmd', 1)
  await first.client.disconnect()

  const deleted = await call(broker, sessionPath(clientId), { method: 'DELETE', token: true })
  expect(deleted.status).toBe(200)
  expect(deleted.body).toEqual({ clientId, deleted: true })

  const after = await call<ErrorAnswer>(broker, sessionPath(clientId))
  expect(after.status).toBe(404)
  const list = await call<SessionPage>(broker, '/api/sessions')
  expect(list.body.counts.total).toBe(0)
  const again = await RawClient.connect(broker.urls.mqtt, { clientId, clean: false })
  expect(again.connack.sessionPresent).toBe(false)
})

test('DELETE of an online session disconnects the client first', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'live', clean: false })
  await client.subscribe('t', 1)

  const deleted = await call(broker, sessionPath('live'), { method: 'DELETE', token: true })
  expect(deleted.status).toBe(200)
  await client.waitClosed()
  expect((await call(broker, sessionPath('live'))).status).toBe(404)
})

test('DELETE of an unknown ClientID is a 404', async () => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, sessionPath('ghost'), {
    method: 'DELETE',
    token: true,
  })
  expect(answer.status).toBe(404)
  expect(answer.body.error.code).toBe('NOT_FOUND')
})
