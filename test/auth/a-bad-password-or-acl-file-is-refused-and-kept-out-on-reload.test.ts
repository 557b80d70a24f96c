import { writeFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7, tempFile } from './auth-helpers.ts'

it('stops start-up with AUTH_FILE_INVALID naming the file and line', async () => {
  const acl = tempFile('acl', 'user alice\ntopic readwrite a/#\nallow all\n')
  const result = await runCli([
    '--store',
    'memory',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
    '--acl',
    acl,
  ])
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(`${acl}:3: unknown keyword "allow"`)
  expect(result.stderr).toContain('[AUTH_FILE_INVALID]')
})

it('keeps the files in force when a reload finds a bad one', async () => {
  const passwd = tempFile('passwd', (await import('node:fs')).readFileSync(PASSWD_7, 'utf8'))
  const broker = await startBroker({ store: 'memory', passwordFile: passwd })
  writeFileSync(passwd, 'alice:not-a-hash\n')
  expect(() => broker.auth.reload()).toThrow(expect.objectContaining({ code: 'AUTH_FILE_INVALID' }))
  const { connack } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'a',
    username: 'alice',
    password: 'alice-secret',
  })
  expect(connack.returnCode).toBe(0)
})
