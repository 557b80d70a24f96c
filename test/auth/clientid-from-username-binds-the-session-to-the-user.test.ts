import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7 } from './auth-helpers.ts'

it('uses the username as the ClientID, whatever ClientID is sent', async () => {
  const broker = await startBroker({
    store: 'memory',
    passwordFile: PASSWD_7,
    clientidFromUsername: true,
  })
  const { connack } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'bob',
    clean: false,
    username: 'alice',
    password: 'alice-secret',
  })
  expect(connack.returnCode).toBe(0)
  expect((await broker.sessions.get('alice'))?.connected).toBe(true)
  expect(await broker.sessions.get('bob')).toBeNull()
})

it('refuses a CONNECT without a username with 0x05', async () => {
  const broker = await startBroker({ store: 'memory', clientidFromUsername: true })
  const { connack } = await RawClient.connect(broker.urls.mqtt, { clientId: 'anyone' })
  expect(connack.returnCode).toBe(5)
})
