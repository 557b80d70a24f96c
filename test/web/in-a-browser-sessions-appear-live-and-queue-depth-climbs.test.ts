import { describe, expect, test } from 'vitest'
import {
  chromiumAvailable,
  logIn,
  mqttClient,
  newPage,
  openBrowser,
  row,
  screenshot,
} from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('an operator logs in; a client appears without reload, goes offline, and its queue depth climbs on screen', async () => {
    const broker = await startDashboard()
    const page = await newPage(await openBrowser())
    await logIn(page, broker)
    await page.locator('#live-status[data-state="live"]').waitFor()
    await expect(page.locator('#mode-name').textContent()).resolves.toBe('persistent view')

    const device = await mqttClient(broker, { clientId: 'sensor-7', clean: false })
    await device.subscribeAsync('plant/7/#', { qos: 1 })
    const sensor = row(page, 'sensor-7')
    await sensor.locator('td.state', { hasText: 'online' }).waitFor()
    await page.locator('#count-online', { hasText: '1 online' }).waitFor()

    await device.endAsync(true) // dropped: the broker keeps the session
    await sensor.locator('td.state', { hasText: 'offline' }).waitFor()

    const publisher = await mqttClient(broker, { clientId: 'publisher' })
    for (let i = 1; i <= 3; i++) {
      await publisher.publishAsync('plant/7/temp', `${20 + i}`, { qos: 1 })
      await sensor.locator('td.queued', { hasText: String(i) }).waitFor()
    }
    await screenshot(page, 'sessions')

    await sensor.locator('td.client-id a').click()
    await page.waitForURL(/\/sessions\/sensor-7$/)
    await page.locator('#client-id', { hasText: 'sensor-7' }).waitFor()
    await expect(page.locator('dd[data-field="queued"]').textContent()).resolves.toBe('3')
    await publisher.publishAsync('plant/7/temp', '24', { qos: 1 })
    await page.locator('dd[data-field="queued"]', { hasText: '4' }).waitFor()
    // each message stored while the session was offline is a 'queued' event: newest first, one line
    await page.locator('#history > li[data-type="queued"][data-count="4"]').waitFor()
    const history = await page
      .locator('#history > li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-type')))
    expect(history).toEqual(['queued', 'disconnect', 'subscribe', 'connect'])
    // the broker's queue-depth history, drawn by uPlot (one sample at least: the page asked)
    await page.locator('#queue-chart:not([data-points="0"]) canvas').waitFor()
    await screenshot(page, 'session-detail')

    await page.goto(`${broker.urls.http}/compare`)
    await page.locator('#compare tbody tr').first().waitFor()
    expect(await page.locator('#compare thead th').allTextContents()).toHaveLength(6)
    await page.locator('#sim', { hasText: 'No report' }).waitFor()
    await screenshot(page, 'compare')
  })
})
