import { describe, expect, test } from 'vitest'
import {
  connectClient,
  makeTestPki,
  opensslAvailable,
  spkiSha256,
  tlsSettings,
} from '../helpers/tls.ts'
import { chromiumAvailable, newPage, openBrowser, row, screenshot } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

/** Chromium trusts exactly the certificates whose SPKI hash is listed, and no other. */
function trusting(spki: string): string[] {
  return [`--ignore-certificate-errors-spki-list=${spki}`]
}

describe.skipIf(!chromiumAvailable() || !opensslAvailable())('in Chromium over HTTPS', () => {
  // two Chromiums, launched side by side: twice the usual start-up on a loaded machine
  test('the dashboard loads over https and goes live for a browser that trusts the test certificate, and no other', {
    timeout: 60_000,
  }, async () => {
    const pki = await makeTestPki()
    const broker = await startDashboard(tlsSettings(pki))
    expect(broker.urls.http).toMatch(/^https:/)
    const [pinnedElsewhere, pinnedHere] = await Promise.all([
      openBrowser(trusting(spkiSha256(pki.stranger.certPem))),
      openBrowser(trusting(pki.serverSpki)),
    ])

    // pinned to another certificate: the broker's is not trusted
    const stranger = await pinnedElsewhere.newPage()
    await expect(stranger.goto(broker.urls.http)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/)

    const page = await newPage(pinnedHere)
    const response = await page.goto(`${broker.urls.http}/`)
    expect(response?.status()).toBe(200)
    expect(new URL(page.url()).protocol).toBe('https:')
    // the live channel (wss on the same port) is up, and a client over mqtts shows without reload
    await page.locator('#live-status[data-state="live"]').waitFor()
    await connectClient(broker.urls.mqtts ?? '', { ca: pki.ca.pem, clientId: 'over-tls' })
    await row(page, 'over-tls').locator('td.state', { hasText: 'online' }).waitFor()
    await screenshot(page, 'dashboard-over-https')
  })
})
