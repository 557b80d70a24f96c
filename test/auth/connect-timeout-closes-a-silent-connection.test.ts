import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

it('closes a connection that sends no CONNECT within --connect-timeout', async () => {
  const broker = await startBroker({ store: 'memory', connectTimeout: 1 })
  const silent = await RawClient.open(broker.urls.mqtt)
  const started = Date.now()
  await silent.waitClosed()
  expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  // a client that does send CONNECT is unaffected
  const { connack } = await RawClient.connect(broker.urls.mqtt, { clientId: 'ok' })
  expect(connack.returnCode).toBe(0)
})
