import { expect, it } from 'vitest'
import { Auth } from '../../broker/auth/auth.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7 } from './auth-helpers.ts'

it('accepts anonymous clients by default while the listeners are on loopback', async () => {
  const broker = await startBroker({ store: 'memory', passwordFile: PASSWD_7 })
  const { connack } = await RawClient.connect(broker.urls.mqtt, { clientId: 'anon' })
  expect(connack.returnCode).toBe(0)
})

it('refuses anonymous clients with CONNACK 0x05 when --allow-anonymous false', async () => {
  const broker = await startBroker({
    store: 'memory',
    passwordFile: PASSWD_7,
    allowAnonymous: 'false',
  })
  const { client, connack } = await RawClient.connect(broker.urls.mqtt, { clientId: 'anon' })
  expect(connack.returnCode).toBe(5)
  await client.waitClosed()
  const alice = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'alice',
    username: 'alice',
    password: 'alice-secret',
  })
  expect(alice.connack.returnCode).toBe(0)
})

it('refuses anonymous clients by default once --host is not a loopback address', async () => {
  const login = (host: string, allowAnonymous: 'auto' | 'true' | 'false') =>
    new Auth({ host, allowAnonymous, passwordFile: '', aclFile: '' }).login(undefined, undefined)
  expect(await login('127.0.0.1', 'auto')).toBeNull()
  expect(await login('::1', 'auto')).toBeNull()
  expect(await login('localhost', 'auto')).toBeNull()
  expect(await login('0.0.0.0', 'auto')).toBe(5)
  expect(await login('192.168.1.10', 'auto')).toBe(5)
  expect(await login('0.0.0.0', 'true')).toBeNull()
  expect(await login('127.0.0.1', 'false')).toBe(5)
})

it('takes any username as given when there is no password file', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { connack } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'c',
    username: 'whoever',
    password: 'anything',
  })
  expect(connack.returnCode).toBe(0)
})
