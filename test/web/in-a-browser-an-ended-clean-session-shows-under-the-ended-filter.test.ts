import { describe, expect, test } from 'vitest'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, mqttClient, newPage, openBrowser, row } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a clean session that ended is not in the list of held sessions; the ended filter shows it with its reason, and its page says why', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    await mqttClient(broker, { clientId: 'meter-1', clean: true })
    const gone = await mqttClient(broker, { clientId: 'meter-2', clean: true })
    await gone.endAsync()
    await changes.next('disconnect', 'meter-2')

    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    await page.locator('#count-total', { hasText: '1 total' }).waitFor()
    await expect(page.locator('#session-rows tr').allTextContents()).resolves.toEqual([
      expect.stringContaining('meter-1'),
    ])

    await page.locator('#filter-state').selectOption('ended')
    const ended = row(page, 'meter-2')
    await ended.locator('td.state', { hasText: 'ended (client)' }).waitFor()
    expect(await page.locator('#session-rows tr').count()).toBe(1)

    await ended.locator('td.client-id a').click()
    await page.locator('dd[data-field="state"]', { hasText: 'ended (client)' }).waitFor()
    await page.locator('#history li[data-type="disconnect"]', { hasText: 'client' }).waitFor()
  })
})
