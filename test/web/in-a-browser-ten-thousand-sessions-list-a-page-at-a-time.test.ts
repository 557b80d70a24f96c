import { describe, expect, test } from 'vitest'
import { chromiumAvailable, newPage, openBrowser } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

const SESSIONS = 10_000

// What the list shows at this size; how long its first page takes (at 10,000 and 100,000) is
// measured by `npm run bench:dashboard` (bench/dashboard.ts, figures in bench/RESULTS.md).

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('10,000 offline sessions on SQLite: counts at the top, 50 rows a page, paging, a prefix filter and a sort over the whole list', async () => {
    const broker = await startDashboard({ store: 'sqlite' })
    const ids = Array.from({ length: SESSIONS }, (_, i) => `fleet/${String(i).padStart(5, '0')}`)
    await Promise.all(ids.map((id) => broker.store.openSession(id)))
    // one session seen lately, deep in ClientID order: sorting must find it in the whole list
    await broker.store.touchSession('fleet/04242', {
      lastActivity: Date.now() - 60_000,
      disconnectedAt: Date.now() - 60_000,
    })
    await broker.store.flush()

    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    await page.locator('#count-offline', { hasText: `${SESSIONS} offline` }).waitFor()
    expect(await page.locator('#session-rows tr').count()).toBe(50)
    await expect(page.locator('#session-rows tr td.client-id').first().textContent()).resolves.toBe(
      'fleet/00000',
    )

    await page.locator('#next-page').click()
    await page.locator('#session-rows tr', { hasText: 'fleet/00050' }).waitFor()
    await page.locator('#filter-prefix').fill('fleet/0999')
    await page.locator('#count-total', { hasText: '10 total' }).waitFor()
    expect(await page.locator('#session-rows tr').count()).toBe(10)
    // the last activity header sorts the whole list, not the page shown: the latest first
    await page.locator('#filter-prefix').fill('')
    await page.locator('th.last-activity button.sort').click()
    await page
      .locator('#session-rows[data-sort="lastActivity"][data-order="desc"][data-prefix=""]')
      .waitFor()
    await expect(page.locator('#session-rows tr td.client-id').first().textContent()).resolves.toBe(
      'fleet/04242',
    )
    expect(await page.locator('#session-rows tr').count()).toBe(50)
  })
})
