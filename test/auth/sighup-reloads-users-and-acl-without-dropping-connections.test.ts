import { readFileSync, writeFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { startChildBroker } from '../helpers/child-broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_6, PASSWD_7, tempFile } from './auth-helpers.ts'

it('reloads the password file and ACL on SIGHUP; connected clients stay connected', async () => {
  const passwd = tempFile('passwd', readFileSync(PASSWD_7, 'utf8'))
  const acl = tempFile('acl', 'user alice\ntopic readwrite a/#\n')
  const broker = await startChildBroker([
    '--store',
    'memory',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
    '--password-file',
    passwd,
    '--acl',
    acl,
  ])
  const alice = await RawClient.connect(broker.mqttUrl, {
    clientId: 'alice',
    username: 'alice',
    password: 'alice-secret',
  })
  expect(await alice.client.subscribe('a/#', 0)).toEqual([0])
  expect(await alice.client.subscribe('b/#', 0, 2)).toEqual([128])

  // carol joins, alice may now read b/#
  writeFileSync(passwd, readFileSync(PASSWD_6, 'utf8'))
  writeFileSync(acl, 'user alice\ntopic readwrite a/#\ntopic readwrite b/#\n')
  broker.signal('SIGHUP')
  await broker.printed(/reloaded the password file and ACL/)

  const carol = await RawClient.connect(broker.mqttUrl, {
    clientId: 'carol',
    username: 'carol',
    password: 'carol-secret',
  })
  expect(carol.connack.returnCode).toBe(0)
  expect(await alice.client.subscribe('b/#', 0, 3)).toEqual([0])
  await publish(alice.client, 'b/1', 'hello', 0)
  expect((await alice.client.next('publish')).topic).toBe('b/1')
  expect(alice.client.closed).toBe(false)
})
