import type { Page, WebSocketRoute } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, mqttClient, newPage, openBrowser } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

/**
 * Routes the page's live channel through the test: the first connection
 * goes to the broker and can be cut; reconnections wait until released, so
 * the test decides what happens while the page is away.
 */
async function cuttableLive(page: Page) {
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  let first: { page: WebSocketRoute; server: WebSocketRoute } | null = null
  await page.routeWebSocket(/\/live$/, async (ws) => {
    if (first === null) {
      first = { page: ws, server: ws.connectToServer() }
      return
    }
    await held
    ws.connectToServer()
  })
  return {
    async cut() {
      await first?.server.close()
      await first?.page.close()
    },
    release,
  }
}

async function awayAndBack(broker: BrokerHandle, mode: 'persistent' | 'clean') {
  const changes = new SessionChanges(broker.sessions)
  const page = await newPage(await openBrowser())
  await page.goto(`${broker.urls.http}/`)
  if (mode === 'clean') {
    await page.locator('#switch-mode').click()
    await page.locator('#mode-name[data-mode="clean"]').waitFor()
  }
  // routed from the next connection on: reload the page to make one
  const live = await cuttableLive(page)
  await page.reload()
  await page.locator('#live-status[data-state="live"]').waitFor()

  await live.cut()
  await page.locator('#live-status[data-state="reconnecting"]').waitFor()
  await mqttClient(broker, { clientId: 'during-the-cut', clean: false })
  await changes.next('connect', 'during-the-cut')
  live.release()
  await page.locator('#live-status[data-state="live"]').waitFor()
  return page
}

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('after a cut the page reconnects by itself and a persistent view receives what it missed', async () => {
    const broker = await startDashboard()
    const page = await awayAndBack(broker, 'persistent')
    await page.locator('#missed-list li', { hasText: 'during-the-cut connect' }).waitFor()
  })

  test('after a cut a clean view reconnects and starts fresh', async () => {
    const broker = await startDashboard()
    const page = await awayAndBack(broker, 'clean')
    await page.locator('#session-rows tr', { hasText: 'during-the-cut' }).waitFor()
    expect(await page.locator('#missed-list li').count()).toBe(0)
  })
})
