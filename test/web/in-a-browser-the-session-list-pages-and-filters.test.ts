import { describe, expect, test } from 'vitest'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, mqttClient, newPage, openBrowser } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('the list shows 50 sessions a page, pages by cursor, filters by prefix and state, and remembers the filter', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    const ids = Array.from({ length: 60 }, (_, i) => `dev-${String(i).padStart(3, '0')}`)
    await Promise.all(ids.map((clientId) => mqttClient(broker, { clientId })))
    const other = await mqttClient(broker, { clientId: 'zz-gateway', clean: false })
    await other.endAsync(true)
    await changes.next('disconnect', 'zz-gateway')

    const context = await openBrowser()
    const page = await newPage(context)
    await page.goto(`${broker.urls.http}/`)
    await page.locator('#count-total', { hasText: '61 total' }).waitFor()
    await expect(page.locator('#count-online').textContent()).resolves.toBe('60 online')
    expect(await page.locator('#session-rows tr').count()).toBe(50)
    await page.locator('#next-page').click()
    await page.locator('#session-rows tr', { hasText: 'zz-gateway' }).waitFor()
    expect(await page.locator('#session-rows tr').count()).toBe(11)
    expect(await page.locator('#next-page').isDisabled()).toBe(true)
    await page.locator('#prev-page').click()
    await page.locator('#session-rows tr', { hasText: 'dev-000' }).waitFor()

    // wait for the rows of the filter chosen, not for a count: the total does not
    // depend on the state filter, so "61 total" was already on screen before it
    const rowsOf = (state: string, prefix: string) =>
      page.locator(`#session-rows[data-state="${state}"][data-prefix="${prefix}"]`).waitFor()
    await page.locator('#filter-prefix').fill('dev-05')
    await rowsOf('all', 'dev-05')
    await expect(page.locator('#count-total').textContent()).resolves.toBe('10 total')
    expect(await page.locator('#session-rows tr').count()).toBe(10)
    await page.locator('#filter-prefix').fill('')
    await page.locator('#filter-state').selectOption('offline')
    await rowsOf('offline', '')
    await expect(page.locator('#count-total').textContent()).resolves.toBe('61 total')
    await expect(page.locator('#session-rows tr').allTextContents()).resolves.toEqual([
      expect.stringContaining('zz-gateway'),
    ])

    // a persistent view keeps its filter on the server: a new page starts with it
    const again = await newPage(context)
    await again.goto(`${broker.urls.http}/`)
    await again.locator('#session-rows tr', { hasText: 'zz-gateway' }).waitFor()
    await expect(again.locator('#filter-state').inputValue()).resolves.toBe('offline')
  })
})
