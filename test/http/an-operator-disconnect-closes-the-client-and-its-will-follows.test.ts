import { expect, test } from 'vitest'
import type { SessionView } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

test('POST /api/sessions/:clientId/disconnect closes the connection, publishes the Will and keeps the session', async () => {
  const broker = await startBroker()
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('status/#', 1)
  const clientId = 'plant/boiler 1'
  const { client } = await RawClient.connect(broker.urls.mqtt, {
    clientId,
    clean: false,
    will: { topic: 'status/boiler', payload: 'lost', qos: 1 },
  })
  await client.subscribe('plant/boiler/cmd', 1)

  const answer = await call(broker, sessionPath(clientId, '/disconnect'), {
    method: 'POST',
    token: true,
  })
  expect(answer.status).toBe(200)
  expect(answer.body).toEqual({ clientId, disconnected: true })
  await client.waitClosed()
  const will = await watcher.next('publish')
  expect([will.topic, will.payload.toString()]).toEqual(['status/boiler', 'lost'])

  const session = await call<SessionView>(broker, sessionPath(clientId))
  expect(session.body).toMatchObject({ clientId, connected: false })
  expect(session.body.subscriptions).toEqual([{ topic: 'plant/boiler/cmd', qos: 1 }])
  expect(session.body.history.at(-1)).toMatchObject({ type: 'disconnect', reason: 'admin' })
})

test('disconnecting a client that is offline is a 409, one the broker never saw a 404', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'sleeper',
    clean: false,
  })
  await client.disconnect()

  const offline = await call<ErrorAnswer>(broker, sessionPath('sleeper', '/disconnect'), {
    method: 'POST',
    token: true,
  })
  expect(offline.status).toBe(409)
  expect(offline.body.error.code).toBe('NOT_CONNECTED')

  const unknown = await call<ErrorAnswer>(broker, sessionPath('ghost', '/disconnect'), {
    method: 'POST',
    token: true,
  })
  expect(unknown.status).toBe(404)
  expect(unknown.body.error.code).toBe('NOT_FOUND')
})
