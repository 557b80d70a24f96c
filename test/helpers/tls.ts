import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt'
import { onTestFinished } from 'vitest'
import { tempDir } from './broker.ts'

export const OPENSSL = '/usr/bin/openssl'
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub'

/**
 * Whether a system binary the TLS tests need is there. In CI (`CI=true`) a
 * missing one is an error — `.ci/run` installs `openssl` and
 * `mosquitto-clients` — so those tests fail there rather than skip.
 */
export function binaryAvailable(path: string, debianPackage: string): boolean {
  if (existsSync(path)) return true
  if (process.env.CI === 'true') {
    throw new Error(`${path} is missing; .ci/run installs the Debian ${debianPackage} package`)
  }
  return false
}

export const opensslAvailable = () => binaryAvailable(OPENSSL, 'openssl')
export const mosquittoSubAvailable = () => binaryAvailable(MOSQUITTO_SUB, 'mosquitto-clients')

/** A PEM certificate and its key, as files. */
export interface CertFiles {
  cert: string
  key: string
}

/** A throwaway PKI of one test, in its own temp dir. */
export interface TestPki {
  dir: string
  /** The test CA: `cert` is what clients pass as `ca` / `--cafile`, and the broker as `--tls-ca`. */
  ca: CertFiles & { pem: string }
  /** The broker's certificate, signed by the CA, for 127.0.0.1 and localhost. */
  server: CertFiles
  /** A client certificate signed by the CA. */
  client: CertFiles & { certPem: string; keyPem: string }
  /** A client certificate signed by another CA, which the broker does not trust. */
  stranger: CertFiles & { certPem: string; keyPem: string }
  /** Base64 SHA-256 of the server certificate's SubjectPublicKeyInfo (Chromium's SPKI pin). */
  serverSpki: string
}

// Our own extensions, so the system's openssl.cnf (whose defaults differ
// between versions) decides nothing about the certificates.
const OPENSSL_CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

const run = promisify(execFile)

/** Runs openssl with these arguments (given in groups, to keep calls readable). */
async function openssl(...args: string[][]): Promise<void> {
  await run(OPENSSL, args.flat())
}

/**
 * Makes a CA, a server certificate for 127.0.0.1/localhost and two client
 * certificates (one from the CA, one from a stranger CA) with
 * /usr/bin/openssl, in `dir` (default: a temp dir removed when the test
 * ends). P-256 keys: quick to make, and every client here speaks them.
 */
export async function makeTestPki(dir = tempDir('sessionlab-pki-')): Promise<TestPki> {
  const cnf = join(dir, 'openssl.cnf')
  writeFileSync(cnf, OPENSSL_CNF)
  const path = (name: string) => join(dir, name)
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

  const makeCa = async (name: string, subject: string): Promise<CertFiles> => {
    const files = { cert: path(`${name}.pem`), key: path(`${name}.key`) }
    await openssl(
      ['req', '-x509', '-config', cnf, '-extensions', 'ca', ...newKey, '-subj', `/CN=${subject}`],
      ['-keyout', files.key, '-out', files.cert, '-days', '2'],
    )
    return files
  }
  const issue = async (
    name: string,
    subject: string,
    profile: 'server' | 'client',
    by: CertFiles,
  ): Promise<CertFiles> => {
    const files = { cert: path(`${name}.pem`), key: path(`${name}.key`) }
    const csr = path(`${name}.csr`)
    await openssl(
      ['req', '-new', '-config', cnf, ...newKey, '-subj', `/CN=${subject}`],
      ['-keyout', files.key, '-out', csr],
    )
    // a serial of its own per certificate: browsers refuse two of one issuer and serial
    const serial = `0x${randomBytes(8).toString('hex')}`
    await openssl(
      ['x509', '-req', '-in', csr, '-CA', by.cert, '-CAkey', by.key, '-set_serial', serial],
      ['-days', '2', '-extfile', cnf, '-extensions', profile, '-out', files.cert],
    )
    return files
  }

  const ca = await makeCa('ca', 'SessionLab test CA')
  const strangerCa = await makeCa('stranger-ca', 'Some other CA')
  const server = await issue('server', 'localhost', 'server', ca)
  const client = await issue('client', 'device-1', 'client', ca)
  const stranger = await issue('stranger', 'device-2', 'client', strangerCa)
  const read = (file: string) => readFileSync(file, 'utf8')
  return {
    dir,
    ca: { ...ca, pem: read(ca.cert) },
    server,
    client: { ...client, certPem: read(client.cert), keyPem: read(client.key) },
    stranger: { ...stranger, certPem: read(stranger.cert), keyPem: read(stranger.key) },
    serverSpki: spkiSha256(read(server.cert)),
  }
}

/** What Chromium's `--ignore-certificate-errors-spki-list` takes: base64 SHA-256 of the DER SPKI. */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}

/** The broker settings that turn TLS on with this PKI's server certificate. */
export function tlsSettings(pki: TestPki): { tlsCert: string; tlsKey: string } {
  return { tlsCert: pki.server.cert, tlsKey: pki.server.key }
}

/** An `mqtt` client of the current test (no reconnects), ended when it finishes. */
export async function connectClient(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0, ...options }, false)
  onTestFinished(() => client.endAsync(true))
  return client
}

/** The error a connection attempt over `url` fails with; fails the test if it connects. */
export async function connectionRefusal(url: string, options: IClientOptions): Promise<Error> {
  try {
    const client = await connectAsync(url, { reconnectPeriod: 0, ...options }, false)
    await client.endAsync(true)
  } catch (err) {
    return err as Error
  }
  throw new Error(`${url} accepted a connection it should have refused`)
}

/** GET over HTTPS trusting only `ca`: the status and body. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A running `mosquitto_sub -d`, killed when the test ends if it has not exited. */
export interface MosquittoSub {
  /** Resolves once it printed that its SUBACK arrived; rejects if it exits first. */
  subscribed: Promise<void>
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>
}

/** Starts /usr/bin/mosquitto_sub with `args` and `-d`, whose debug lines show the SUBACK. */
export function mosquittoSub(args: string[]): MosquittoSub {
  // into a pipe, mosquitto_sub's stdout is block-buffered: its SUBACK line would come
  // only at exit. stdbuf (coreutils) makes it line-buffered.
  const child = spawn('/usr/bin/stdbuf', ['-oL', MOSQUITTO_SUB, '-d', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  )
  const subscribed = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (/received SUBACK/.test(stdout)) resolve()
    })
    exited.then(() =>
      reject(new Error(`mosquitto_sub exited before its SUBACK:\n${stdout}${stderr}`)),
    )
  })
  // awaited by the tests that need it; an early exit is reported there, or by `exited`
  subscribed.catch(() => {})
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return { subscribed, exited }
}
