import mqtt from 'mqtt'
import { describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { startChildBroker } from '../helpers/child-broker.ts'
import { freePort } from '../helpers/free-port.ts'
import { chromiumAvailable, newPage, openBrowser, row } from './browser.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a session followed in a persistent view is still followed after SIGTERM and a new start on the same SQLite data dir', async () => {
    const dataDir = tempDir()
    // the same address after the restart, so the open page reconnects by itself
    const httpPort = await freePort()
    const args = [
      ...['--store', 'sqlite', '--data-dir', dataDir, '--mqtt-port', '0', '--ws-port', '0'],
      ...['--http-port', String(httpPort), '--cookie-secret', 'restart-test-secret'],
    ]
    const http = `http://127.0.0.1:${httpPort}`
    const first = await startChildBroker(args)
    const device = await mqtt.connectAsync(first.mqttUrl, {
      clientId: 'boiler-7',
      clean: false,
      reconnectPeriod: 0,
    })
    await device.subscribeAsync('plant/boiler/#', { qos: 1 })
    await device.endAsync()

    const page = await newPage(await openBrowser())
    await page.goto(`${http}/sessions/boiler-7`)
    await page.locator('#follow', { hasText: /^Follow$/ }).click()
    await page.locator('#follow', { hasText: /^Unfollow$/ }).waitFor()

    expect((await first.kill('SIGTERM')).code).toBe(0)
    await startChildBroker(args)
    await page.reload()
    await page.locator('#follow', { hasText: /^Unfollow$/ }).waitFor()
    await page.locator('#follow-help', { hasText: 'Followed.' }).waitFor()

    await page.goto(`${http}/`)
    await row(page, 'boiler-7').locator('td.follow-mark', { hasText: '★' }).waitFor()
    // the banner names the mode once, then its analogy
    const banner = (await page.locator('#view-mode').textContent()) ?? ''
    expect(banner.match(/persistent view/gi)).toHaveLength(1)

    await page.goto(`${http}/compare`)
    const summary = page.locator('#compare-summary')
    await summary.waitFor()
    await expect(summary.textContent()).resolves.toContain(
      "this dashboard's 1 persistent view (1 with a page open, 0 away)",
    )
    // the page asks once its own connection is open (the last page's may not have closed yet)
    await expect(summary.textContent()).resolves.toMatch(
      /\b[1-9]\d* live channel connections? open, this page's included/,
    )
    // two CLI starts (Node, tsx compiling the sources) and a browser, on a loaded two-core machine
  }, 90_000)
})
