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

/** What the page measures of itself: the document's scrolled width and the window's. */
const WIDTHS = `({
  scroll: document.scrollingElement.scrollWidth,
  inner: window.innerWidth,
  table: document.getElementById('sessions').getBoundingClientRect().right,
})`

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('at 375 px wide, an operator’s session list with a long ClientID never overflows the window, and every column still shows', async () => {
    const broker = await startDashboard({ store: 'sqlite' })
    const long = `plant/building-7/floor-3/boiler-room/sensor-${'x'.repeat(60)}`
    await mqttClient(broker, { clientId: long, username: 'a-rather-long-user-name@example.com' })
    await mqttClient(broker, { clientId: 'valve-3', clean: false })

    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 375, height: 800 })
    // as an operator: the rows carry the Disconnect and Delete buttons, and the publish form shows
    await logIn(page, broker)
    await page.locator('#count-total', { hasText: '2 total' }).waitFor()
    const longRow = row(page, long)
    await longRow.locator('td.address').waitFor()
    await longRow.locator('.op-disconnect').waitFor()

    const narrow = (await page.evaluate(WIDTHS)) as { scroll: number; inner: number; table: number }
    expect(narrow.inner).toBe(375)
    expect(narrow.scroll).toBeLessThanOrEqual(narrow.inner)
    expect(narrow.table).toBeLessThanOrEqual(narrow.inner)
    // each value carries its column's name where the headers are hidden
    await expect(
      page.evaluate(
        `getComputedStyle(document.querySelector('#session-rows td.last-activity'), '::before').content`,
      ),
    ).resolves.toBe('"last activity"')
    await expect(page.locator('th.queued button.sort').isVisible()).resolves.toBe(false)
    await expect(page.locator('#sort-by').isVisible()).resolves.toBe(true)
    await screenshot(page, 'session-list-375px')

    // and at a desktop width it is a table again, its headers the sort controls
    await page.setViewportSize({ width: 1280, height: 800 })
    await expect(page.locator('th.queued button.sort').isVisible()).resolves.toBe(true)
    const wide = (await page.evaluate(WIDTHS)) as { scroll: number; inner: number }
    expect(wide.scroll).toBeLessThanOrEqual(wide.inner)
    await screenshot(page, 'session-list-1280px')
  })
})
