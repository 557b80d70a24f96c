import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTls, type TlsConfig } from '../../broker/listeners/tls.ts'
import { tempDir } from '../helpers/broker.ts'
import { runCli, sqliteArgs } from '../helpers/child-broker.ts'
import { makeTestPki, opensslAvailable, type TestPki } from '../helpers/tls.ts'

/** The files of this file's cases: a real PKI, and broken files beside it. */
interface Files {
  pki: TestPki
  missing: string
  notPem: string
  badCert: string
  badKey: string
}

// PEM armour intact, DER inside it not
const BAD_BODY = `${'A'.repeat(64)}\n${'A'.repeat(20)}==`

const cases: [string, (f: Files) => Partial<TlsConfig>, (f: Files) => string][] = [
  [
    'a certificate file that does not exist',
    (f) => ({ tlsCert: f.missing }),
    (f) => `--tls-cert ${f.missing}: cannot be read (ENOENT`,
  ],
  [
    'a certificate file with no PEM in it',
    (f) => ({ tlsCert: f.notPem }),
    (f) => `--tls-cert ${f.notPem}: holds no PEM certificate`,
  ],
  [
    'a PEM certificate that does not parse',
    (f) => ({ tlsCert: f.badCert }),
    (f) => `--tls-cert ${f.badCert}: certificate 1 does not parse`,
  ],
  [
    'the key and certificate swapped',
    (f) => ({ tlsCert: f.pki.server.key, tlsKey: f.pki.server.cert }),
    (f) => `--tls-cert ${f.pki.server.key}: holds no PEM certificate`,
  ],
  [
    'a key file that does not exist',
    (f) => ({ tlsKey: f.missing }),
    (f) => `--tls-key ${f.missing}: cannot be read (ENOENT`,
  ],
  [
    'a key file with no PEM in it',
    (f) => ({ tlsKey: f.notPem }),
    (f) => `--tls-key ${f.notPem}: holds no PEM private key`,
  ],
  [
    'a PEM key that does not parse',
    (f) => ({ tlsKey: f.badKey }),
    (f) => `--tls-key ${f.badKey}: the private key does not parse`,
  ],
  [
    "another certificate's key",
    (f) => ({ tlsKey: f.pki.stranger.key }),
    (f) =>
      `--tls-key ${f.pki.stranger.key}: not the private key of the certificate in ${f.pki.server.cert}`,
  ],
  [
    'a CA file that does not exist',
    (f) => ({ tlsCa: f.missing }),
    (f) => `--tls-ca ${f.missing}: cannot be read (ENOENT`,
  ],
  [
    'a CA file with no PEM in it',
    (f) => ({ tlsCa: f.notPem }),
    (f) => `--tls-ca ${f.notPem}: holds no PEM certificate`,
  ],
  [
    'a PEM CA certificate that does not parse',
    (f) => ({ tlsCa: f.badCert }),
    (f) => `--tls-ca ${f.badCert}: certificate 1 does not parse`,
  ],
]

describe.skipIf(!opensslAvailable())('a bad TLS file', () => {
  // one PKI for every case: they only read it
  let dir = ''
  let files: Files
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sessionlab-tls-files-'))
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    files = {
      pki: await makeTestPki(dir),
      missing: join(dir, 'no-such-file.pem'),
      notPem: write('not-pem.txt', 'subject=CN = localhost\nnot a certificate\n'),
      badCert: write(
        'bad-cert.pem',
        `-----BEGIN CERTIFICATE-----\n${BAD_BODY}\n-----END CERTIFICATE-----\n`,
      ),
      badKey: write(
        'bad-key.pem',
        `-----BEGIN PRIVATE KEY-----\n${BAD_BODY}\n-----END PRIVATE KEY-----\n`,
      ),
    }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is accepted when every file is right (the cases below each break one)', () => {
    const { pki } = files
    const tls = loadTls({
      tlsCert: pki.server.cert,
      tlsKey: pki.server.key,
      tlsCa: pki.ca.cert,
      tlsRequireClientCert: true,
    })
    expect(tls).toMatchObject({ ca: pki.ca.pem, requireClientCert: true })
  })

  it.each(cases)(
    'refuses %s with TLS_FILE_INVALID naming the flag and the file',
    (_, set, names) => {
      const { pki } = files
      const settings = {
        tlsCert: pki.server.cert,
        tlsKey: pki.server.key,
        tlsCa: '',
        ...set(files),
      }
      let refused: (Error & { code?: string }) | undefined
      try {
        loadTls({ ...settings, tlsRequireClientCert: false })
      } catch (err) {
        refused = err as Error & { code?: string }
      }
      expect(refused?.code).toBe('TLS_FILE_INVALID')
      expect(refused?.message).toContain(names(files))
    },
  )
})

it('exits 2 from the real CLI with TLS_FILE_INVALID naming the file, leaving the data dir untouched', async () => {
  const parent = tempDir()
  const dataDir = join(parent, 'data')
  const missing = join(parent, 'no-such-cert.pem')
  const result = await runCli([...sqliteArgs(dataDir), '--tls-cert', missing, '--tls-key', missing])
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toContain(`--tls-cert ${missing}: cannot be read`)
  expect(result.stderr).toMatch(/\[TLS_FILE_INVALID\]\n$/)
  expect(existsSync(dataDir)).toBe(false)
})
