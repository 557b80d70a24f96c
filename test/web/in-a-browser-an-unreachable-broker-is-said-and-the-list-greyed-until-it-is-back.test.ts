import { describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { freePort } from '../helpers/free-port.ts'
import { chromiumAvailable, mqttClient, newPage, openBrowser, row, screenshot } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('with the broker stopped under an open list, the page says it is unreachable and greys the figures; they come back with it', async () => {
    // the same address for the broker started again, as a restart would keep it
    const httpPort = await freePort()
    const dataDir = tempDir()
    const broker = await startDashboard({ httpPort, dataDir })
    await mqttClient(broker, { clientId: 'meter-3' })
    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    await row(page, 'meter-3').waitFor()

    await broker.close()
    const notice = page.locator('#error[data-state="unreachable"]')
    await notice.waitFor()
    await expect(notice.textContent()).resolves.toMatch(
      /^Broker unreachable — retrying every 2 s\. The figures below are from \S+/,
    )
    await expect(page.locator('#sessions').getAttribute('data-stale')).resolves.toBe('true')
    await expect(page.locator('#counts').getAttribute('data-stale')).resolves.toBe('true')
    // the last figures stay on screen, greyed, and no raw fetch error shows
    await expect(page.locator('#count-total').textContent()).resolves.toBe('1 total')
    expect(await page.locator('main').textContent()).not.toContain('TypeError')
    await screenshot(page, 'broker-unreachable')

    const back = await startDashboard({ httpPort, dataDir })
    await mqttClient(back, { clientId: 'meter-4' })
    await row(page, 'meter-4').waitFor()
    await page.locator('#sessions:not([data-stale])').waitFor()
    await expect(page.locator('#error').textContent()).resolves.toBe('')
    expect(await page.locator('#counts.stale').count()).toBe(0)
  })
})
