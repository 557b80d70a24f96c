import { join } from 'node:path'
import { expect, it } from 'vitest'
import { loadTls } from '../../broker/listeners/tls.ts'
import { tempDir } from '../helpers/broker.ts'
import { freePortArgs, runCli } from '../helpers/child-broker.ts'

const none = { tlsCert: '', tlsKey: '', tlsCa: '', tlsRequireClientCert: false }

it.each([
  [{ tlsCert: 'server.pem' }, '--tls-cert', '--tls-key'],
  [{ tlsKey: 'server.key' }, '--tls-key', '--tls-cert'],
])('refuses %j with CONFIG_INVALID naming %s and the missing %s', (set, given, missing) => {
  const read = (path: string) => {
    throw new Error(`no file should be read before the pair is complete; read ${path}`)
  }
  expect(() => loadTls({ ...none, ...set }, read)).toThrow(
    expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(`^${given} is set \\(.+\\) without ${missing}`),
    }),
  )
})

it('is off, reading nothing, when neither is set', () => {
  expect(loadTls(none, () => '')).toBeNull()
})

it.each([
  ['--tls-cert', 'server.pem', '--tls-key'],
  ['--tls-key', 'server.key', '--tls-cert'],
])(
  'exits 2 from the real CLI given only %s %s, naming the missing %s',
  async (flag, file, missing) => {
    const dataDir = join(tempDir(), 'data')
    const result = await runCli(['--store', 'memory', ...freePortArgs(dataDir), flag, file])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`${flag} is set (${file}) without ${missing}`)
    expect(result.stderr).toMatch(/\[CONFIG_INVALID\]\n$/)
  },
)
