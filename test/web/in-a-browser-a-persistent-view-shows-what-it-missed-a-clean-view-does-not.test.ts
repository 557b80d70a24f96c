import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, mqttClient, newPage, openBrowser, screenshot } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

async function goLive(page: Page, broker: BrokerHandle): Promise<void> {
  await page.goto(`${broker.urls.http}/`)
  await page.locator('#live-status[data-state="live"]').waitFor()
}

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a persistent view closed and reopened shows the session events it missed', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    const context = await openBrowser()
    const first = await newPage(context)
    await goLive(first, broker)
    await expect(first.locator('#mode-name').getAttribute('data-mode')).resolves.toBe('persistent')
    await first.close()

    const device = await mqttClient(broker, { clientId: 'while-away', clean: false })
    await device.subscribeAsync('away/#', { qos: 1 })
    await changes.next('subscribe', 'while-away')

    const second = await newPage(context)
    await goLive(second, broker)
    const missed = second.locator('#missed-list li')
    await missed.first().waitFor()
    expect(await missed.allTextContents()).toEqual([
      expect.stringMatching(/while-away connect/),
      expect.stringMatching(/while-away subscribe away\/# \(QoS 1\)/),
    ])
    await expect(second.locator('#missed h2').textContent()).resolves.toContain('2 session events')
    await screenshot(second, 'persistent-view-missed')
  })

  test('a clean view closed and reopened shows nothing it missed', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    const context = await openBrowser()
    const first = await newPage(context)
    await goLive(first, broker)
    await first.locator('#switch-mode').click()
    await first.locator('#mode-name[data-mode="clean"]').waitFor()
    await first.locator('#live-status[data-state="live"]').waitFor()
    await expect(first.locator('.analogy').textContent()).resolves.toContain('CleanSession=1')
    await first.close()

    await mqttClient(broker, { clientId: 'unseen', clean: false })
    await changes.next('connect', 'unseen')

    const second = await newPage(context)
    await goLive(second, broker)
    await expect(second.locator('#mode-name').getAttribute('data-mode')).resolves.toBe('clean')
    // the list shows the session as it is now; no "while you were away" panel
    await second.locator('#session-rows tr', { hasText: 'unseen' }).waitFor()
    expect(await second.locator('#missed').isHidden()).toBe(true)
    expect(await second.locator('#missed-list li').count()).toBe(0)
  })
})
