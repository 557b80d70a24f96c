import { describe, expect, test } from 'vitest'
import { chromiumAvailable, newPage, openBrowser } from './browser.ts'
import { deviceWithAQueue, openSession } from './session-device.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('the queue is read 20 entries a page with Next and Previous, and a sample the broker takes is added to the chart without reload', async () => {
    const { broker, pub, step } = await deviceWithAQueue()
    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 1200, height: 900 })
    await openSession(broker, page)
    await page.locator('#queue-chart[data-points="3"]').waitFor()
    await expect(page.locator('#queue-next').isDisabled()).resolves.toBe(true)

    for (let i = 1; i <= 20; i++) await pub.publishAsync('plant/temp', `3${i}`, { qos: 1 })
    // the page reads its queue again by itself: 26 entries now, a second page
    await page.locator('#queue-next:not([disabled])').click()
    await page.locator('#queue-position', { hasText: 'page 2: entries 21–26' }).waitFor()
    const second = await page.locator('#queue-table td.payload').allTextContents()
    expect(second).toEqual(['315', '316', '317', '318', '319', '320'])
    await page.locator('#queue-previous').click()
    await page.locator('#queue-position', { hasText: 'page 1: entries 1–20, more after' }).waitFor()
    expect(await page.locator('#queue-table tbody tr').count()).toBe(20)
    await expect(page.locator('#queue-previous').isDisabled()).resolves.toBe(true)

    // the broker samples the queue; the next metric sample on the live channel redraws the chart
    await step()
    await broker.history.sampler.sampleNow()
    await page.locator('#queue-chart[data-points="4"]').waitFor()
  })
})
