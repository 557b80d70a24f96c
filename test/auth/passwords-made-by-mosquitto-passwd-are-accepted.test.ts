import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parsePasswordFile } from '../../broker/auth/passwords.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_6, PASSWD_7, tempFile } from './auth-helpers.ts'

it('accepts the $7$ (PBKDF2-SHA512) and $6$ (salted SHA512) entries of mosquitto_passwd', async () => {
  const both = tempFile(
    'passwd',
    `# users\n${readFileSync(PASSWD_7, 'utf8')}\n${readFileSync(PASSWD_6, 'utf8')}`,
  )
  const broker = await startBroker({ store: 'memory', passwordFile: both })
  for (const [username, password] of [
    ['alice', 'alice-secret'],
    ['bob', 'bob-secret'],
    ['carol', 'carol-secret'],
  ]) {
    const { connack } = await RawClient.connect(broker.urls.mqtt, {
      clientId: username as string,
      username,
      password,
    })
    expect(connack.returnCode, username).toBe(0)
  }
})

it('refuses a file with an unhashed or unknown entry, naming the line', () => {
  expect(() => parsePasswordFile('alice:plain', 'p')).toThrow('p:1: unhashed password')
  expect(() => parsePasswordFile('\n\nbob:$5$abc$def', 'p')).toThrow('p:3: unknown hash format')
  expect(() => parsePasswordFile('nobody', 'p')).toThrow('p:1: expected user:hash')
})
