import { join } from 'node:path'
import { expect, it } from 'vitest'
import { loadTls } from '../../broker/listeners/tls.ts'
import { tempDir } from '../helpers/broker.ts'
import { freePortArgs, runCli } from '../helpers/child-broker.ts'

const pair = { tlsCert: 'server.pem', tlsKey: 'server.key' }
const unread = (path: string): string => {
  throw new Error(`no file should be read for a refused combination; read ${path}`)
}

it('refuses --tls-require-client-cert without --tls-ca, naming both, before reading any file', () => {
  expect(() => loadTls({ ...pair, tlsCa: '', tlsRequireClientCert: true }, unread)).toThrow(
    expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^--tls-require-client-cert: needs --tls-ca/),
    }),
  )
})

it.each([
  [{ tlsCa: '', tlsRequireClientCert: true }, '--tls-require-client-cert'],
  [{ tlsCa: 'ca.pem', tlsRequireClientCert: false }, '--tls-ca'],
])('refuses %j without a certificate rather than ignore it, naming %s', (set, flag) => {
  expect(() => loadTls({ tlsCert: '', tlsKey: '', ...set }, unread)).toThrow(
    expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(`^${flag}: needs TLS on`),
    }),
  )
})

it('exits 2 from the real CLI, naming --tls-require-client-cert and --tls-ca', async () => {
  const dataDir = join(tempDir(), 'data')
  const result = await runCli([
    ...['--store', 'memory', ...freePortArgs(dataDir)],
    ...['--tls-cert', 'server.pem', '--tls-key', 'server.key', '--tls-require-client-cert', 'true'],
  ])
  expect(result.code).toBe(2)
  expect(result.stderr).toContain('--tls-require-client-cert: needs --tls-ca')
  expect(result.stderr).toMatch(/\[CONFIG_INVALID\]\n$/)
})
