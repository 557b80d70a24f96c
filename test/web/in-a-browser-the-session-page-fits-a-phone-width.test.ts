import { describe, expect, test } from 'vitest'
import { chromiumAvailable, newPage, openBrowser, screenshot } from './browser.ts'
import { deviceWithAQueue, openSession } from './session-device.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('at 375 px the session page has no horizontal scrollbar and shows each queued message as a card', async () => {
    const { broker } = await deviceWithAQueue()
    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 375, height: 800 })
    await openSession(broker, page)
    await page.locator('#queue-chart[data-points="3"]').waitFor()
    await page.locator('#history > li').first().waitFor()

    const widths = await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )
    expect(widths).toEqual([375, 375])
    // the table's header gives way to a label in front of each value
    await expect(page.locator('#queue-table thead').isVisible()).resolves.toBe(false)
    // run in the page as text: the tests' TypeScript has no DOM types
    const label = await page.evaluate(
      `getComputedStyle(document.querySelector('#queue-table td.topic'), '::before').content`,
    )
    expect(label).toBe('"topic"')
    const chart = await page.locator('#queue-chart canvas').boundingBox()
    expect((chart?.x ?? 0) + (chart?.width ?? 0)).toBeLessThanOrEqual(375)
    await screenshot(page, 'session-phone')
  })
})
