import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext, type TlsOptions } from 'node:tls'
import { errorMessage } from '../coded-error.ts'
import type { Config } from '../config.ts'
import { invalid } from '../config-kinds.ts'
import { SessionLabError } from '../errors.ts'

export type TlsConfig = Pick<Config, 'tlsCert' | 'tlsKey' | 'tlsCa' | 'tlsRequireClientCert'>

/** The certificate, key and CA of every TLS listener, read and checked once at start-up. */
export interface ServerTls {
  /** PEM: the server's certificate, then any intermediates. */
  cert: string
  /** PEM: its private key. */
  key: string
  /** PEM: the CA certificate(s) that client certificates must be signed by. */
  ca?: string
  /** Refuse MQTT clients without a certificate signed by `ca` (Mosquitto's require_certificate). */
  requireClientCert: boolean
}

type ReadFile = (path: string) => string

/**
 * Reads `--tls-cert`, `--tls-key` and `--tls-ca`, or null when TLS is off.
 * Everything a listener would choke on later is refused now, naming the
 * setting and the file: a certificate without its key or the reverse, a
 * file that cannot be read, holds no PEM or does not parse, a key that is
 * not the certificate's, and client certificates required without a CA.
 */
export function loadTls(
  config: TlsConfig,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
): ServerTls | null {
  const { tlsCert, tlsKey, tlsCa, tlsRequireClientCert } = config
  if (tlsCert === '' && tlsKey === '') {
    // a CA or the client-certificate switch alone would be silently ignored: say so
    if (tlsRequireClientCert) {
      throw invalid(
        '--tls-require-client-cert: needs TLS on: set --tls-cert, --tls-key and --tls-ca',
      )
    }
    if (tlsCa !== '') throw invalid('--tls-ca: needs TLS on: set --tls-cert and --tls-key too')
    return null
  }
  if (tlsKey === '') throw invalid(`--tls-cert is set (${tlsCert}) without --tls-key: set both`)
  if (tlsCert === '') throw invalid(`--tls-key is set (${tlsKey}) without --tls-cert: set both`)
  if (tlsRequireClientCert && tlsCa === '') {
    throw invalid(
      '--tls-require-client-cert: needs --tls-ca, the CA that signs the client certificates',
    )
  }

  const cert = readPem(readFile, '--tls-cert', tlsCert)
  const [leaf] = certificatesIn(cert, '--tls-cert', tlsCert)
  const key = readPem(readFile, '--tls-key', tlsKey)
  const privateKey = privateKeyIn(key, tlsKey)
  if (leaf === undefined || !leaf.checkPrivateKey(privateKey)) {
    throw tlsFile(`--tls-key ${tlsKey}: not the private key of the certificate in ${tlsCert}`)
  }
  const ca = tlsCa === '' ? undefined : readPem(readFile, '--tls-ca', tlsCa)
  if (ca !== undefined) certificatesIn(ca, '--tls-ca', tlsCa)
  try {
    // what the listeners will build: anything OpenSSL still refuses fails here, not at listen
    createSecureContext({ cert, key, ca })
  } catch (err) {
    throw tlsFile(`--tls-cert ${tlsCert}, --tls-key ${tlsKey}: ${errorMessage(err)}`, err)
  }
  return { cert, key, ca, requireClientCert: tlsRequireClientCert }
}

/**
 * Node's options for the MQTT listeners (mqtts, wss): client certificates
 * are asked for and checked against the CA only when required, and a
 * handshake gets as long as a connection has to send CONNECT.
 */
export function mqttTlsOptions(tls: ServerTls, connectTimeoutSeconds: number): TlsOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requireClientCert,
    rejectUnauthorized: tls.requireClientCert,
    handshakeTimeout: connectTimeoutSeconds * 1000,
  }
}

/** Node's options for the HTTPS API and dashboard: server authentication only. */
export function httpTlsOptions(tls: ServerTls): TlsOptions {
  return { cert: tls.cert, key: tls.key }
}

function readPem(readFile: ReadFile, flag: string, file: string): string {
  try {
    return readFile(file)
  } catch (err) {
    throw tlsFile(`${flag} ${file}: cannot be read (${errorMessage(err)})`, err)
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** Every certificate of a PEM file; at least one, each one parsed. */
function certificatesIn(pem: string, flag: string, file: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? []
  if (blocks.length === 0) throw tlsFile(`${flag} ${file}: holds no PEM certificate`)
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block)
    } catch (err) {
      throw tlsFile(
        `${flag} ${file}: certificate ${i + 1} does not parse (${errorMessage(err)})`,
        err,
      )
    }
  })
}

function privateKeyIn(pem: string, file: string): KeyObject {
  if (!pem.includes('PRIVATE KEY-----'))
    throw tlsFile(`--tls-key ${file}: holds no PEM private key`)
  try {
    // no passphrase: an encrypted key fails here, as it would in every listener
    return createPrivateKey(pem)
  } catch (err) {
    throw tlsFile(`--tls-key ${file}: the private key does not parse (${errorMessage(err)})`, err)
  }
}

function tlsFile(message: string, cause?: unknown): SessionLabError {
  return new SessionLabError('TLS_FILE_INVALID', message, { cause })
}
