import { describe, expect, test } from 'vitest'
import { chromiumAvailable, mqttClient, newPage, openBrowser, row, screenshot } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

const hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a ClientID, topic and Will payload holding <script> and <img onerror> show as text', async () => {
    const broker = await startDashboard({ maxClientIdLength: 1000 })
    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    const device = await mqttClient(broker, {
      clientId: hostile,
      clean: false,
      will: { topic: `will/${hostile}`, payload: Buffer.from(hostile), qos: 1, retain: false },
    })
    await device.subscribeAsync(`t/${hostile}`, { qos: 1 })

    const link = row(page, hostile).locator('td.client-id a')
    await link.waitFor()
    await expect(link.textContent()).resolves.toBe(hostile)
    await link.click()
    await page.locator('#client-id').waitFor()
    await expect(page.locator('#client-id').textContent()).resolves.toBe(hostile)
    await expect(page.locator('#will-topic').textContent()).resolves.toBe(`will/${hostile}`)
    await expect(page.locator('#will-payload').textContent()).resolves.toBe(hostile)
    await expect(page.locator('#subscriptions li').textContent()).resolves.toBe(
      `t/${hostile} (QoS 1)`,
    )
    await expect(page.locator('#history').textContent()).resolves.toContain(`t/${hostile}`)

    // nothing ran and no element was made from the text
    expect(await page.evaluate(() => 'pwned' in globalThis)).toBe(false)
    expect(await page.locator('main img, main script').count()).toBe(0)
    await screenshot(page, 'untrusted-text')
  })
})
