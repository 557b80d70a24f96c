import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7 } from './auth-helpers.ts'

// [MQTT-3.2.2-3] 0x04 "bad user name or password", and the connection is closed [MQTT-3.2.2-5]
it.each([
  ['a wrong password', { username: 'alice', password: 'wrong' }],
  ['an unknown user', { username: 'mallory', password: 'alice-secret' }],
  ['a username without a password', { username: 'alice' }],
  ["another user's password", { username: 'alice', password: 'bob-secret' }],
])('%s gets CONNACK 0x04 and the connection is closed', async (_what, credentials) => {
  const broker = await startBroker({ store: 'memory', passwordFile: PASSWD_7 })
  const { client, connack } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'c1',
    ...credentials,
  })
  expect(connack.returnCode).toBe(4)
  await client.waitClosed()
  expect(broker.auth.counts.refusedConnects).toBe(1)
})
