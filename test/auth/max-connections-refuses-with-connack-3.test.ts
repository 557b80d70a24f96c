import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

it('refuses a connection past --max-connections with CONNACK 0x03 and lets a takeover through', async () => {
  const broker = await startBroker({ store: 'memory', maxConnections: 2 })
  const a = await RawClient.connect(broker.urls.mqtt, { clientId: 'a' })
  const b = await RawClient.connect(broker.urls.mqtt, { clientId: 'b' })
  expect([a.connack.returnCode, b.connack.returnCode]).toEqual([0, 0])

  const c = await RawClient.connect(broker.urls.mqtt, { clientId: 'c' })
  expect(c.connack.returnCode).toBe(3)
  await c.client.waitClosed()

  // a takeover replaces a connection: the count does not grow
  const again = await RawClient.connect(broker.urls.mqtt, { clientId: 'a' })
  expect(again.connack.returnCode).toBe(0)
  await a.client.waitClosed()

  await b.client.disconnect()
  const d = await RawClient.connect(broker.urls.mqtt, { clientId: 'd' })
  expect(d.connack.returnCode).toBe(0)
})
