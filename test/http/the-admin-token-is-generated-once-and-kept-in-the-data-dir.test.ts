import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { createBroker } from '../../broker/broker.ts'
import { startBroker, tempDir, testConfig } from '../helpers/broker.ts'
import { startChildBroker } from '../helpers/child-broker.ts'
import { call, sessionPath } from './http-client.ts'

test('without --admin-token a token is generated into <data-dir>/admin-token (0600) and reused on restart', async () => {
  const dataDir = tempDir()
  const first = await createBroker(testConfig({ dataDir }))
  const { token, source, path } = first.adminToken
  await first.close()
  expect(source).toBe('created')
  expect(path).toBe(join(dataDir, 'admin-token'))
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/) // 32 random bytes
  expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(token)
  expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600)

  const second = await startBroker({ dataDir })
  expect(second.adminToken).toMatchObject({ token, source: 'stored' })
  const answer = await call(second, sessionPath('ghost'), { method: 'DELETE', token })
  expect(answer.status).toBe(404) // past the token check
})

test('the memory store keeps its token in the data dir too', async () => {
  const dataDir = join(tempDir(), 'not-yet-created')
  const first = await createBroker(testConfig({ store: 'memory', dataDir }))
  await first.close()
  const second = await startBroker({ store: 'memory', dataDir })
  expect(first.adminToken.source).toBe('created')
  expect(second.adminToken).toMatchObject({ token: first.adminToken.token, source: 'stored' })
})

test('the memory store makes a token for this run only when the data dir cannot be made', async () => {
  // a file where the data dir's parent should be: nobody, root included, can create it
  const file = join(tempDir(), 'a-file')
  writeFileSync(file, '')
  const broker = await startBroker({ store: 'memory', dataDir: join(file, 'data') })
  expect(broker.adminToken).toMatchObject({ source: 'ephemeral', path: null })
  expect(broker.adminToken.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
})

test('the CLI prints the HTTP API address and where the token is', async () => {
  const dataDir = tempDir()
  const args = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0', '--data-dir', dataDir]
  const child = await startChildBroker(args)
  const [, url] = await child.printed(/HTTP API +(http:\/\/\S+)\n/)
  const [, token] = await child.printed(/admin token +(\S+)/)
  expect(token).toBe(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim())
  const health = await fetch(`${url}/healthz`)
  expect(health.status).toBe(200)
  expect((await child.kill()).code).toBe(0)

  const again = await startChildBroker(args)
  const [line] = await again.printed(/admin token +.*\n/)
  expect(line).toContain(join(dataDir, 'admin-token'))
  expect(line).not.toContain(token)
  expect((await again.kill()).code).toBe(0)
})
