import { get as httpGet } from 'node:http'
import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import {
  connectClient,
  httpsGet,
  makeTestPki,
  opensslAvailable,
  tlsSettings,
} from '../helpers/tls.ts'

/** A plain-HTTP GET's outcome: an answer would mean the port still speaks HTTP in clear. */
function plainGet(url: string): Promise<string> {
  return new Promise((resolve) => {
    httpGet(url, { agent: false }, (res) => resolve(`answered ${res.statusCode}`)).on(
      'error',
      (err: NodeJS.ErrnoException) => resolve(`failed: ${err.code ?? err.message}`),
    )
  })
}

describe.skipIf(!opensslAvailable())('HTTPS', () => {
  test('with --tls-cert the HTTP port speaks HTTPS with that certificate and no longer answers in clear', async () => {
    const pki = await makeTestPki()
    const broker = await startBroker({ store: 'memory', ...tlsSettings(pki) })
    expect(broker.urls.http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    await connectClient(broker.urls.mqtts ?? '', { ca: pki.ca.pem, clientId: 'over-tls' })

    const health = await httpsGet(`${broker.urls.http}/healthz`, pki.ca.pem)
    expect(health.status).toBe(200)
    const session = await httpsGet(`${broker.urls.http}/api/sessions/over-tls`, pki.ca.pem)
    expect(JSON.parse(session.body)).toMatchObject({ clientId: 'over-tls', connected: true })

    // another CA's trust is not enough, and nothing answers in clear
    await expect(
      httpsGet(`${broker.urls.http}/healthz`, pki.stranger.certPem),
    ).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    const plain = `${broker.urls.http.replace(/^https:/, 'http:')}/healthz`
    expect(await plainGet(plain)).toMatch(/^failed: /)
  })
})
