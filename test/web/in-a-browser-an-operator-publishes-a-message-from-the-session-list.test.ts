import { describe, expect, test } from 'vitest'
import { chromiumAvailable, logIn, mqttClient, newPage, openBrowser } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('an operator publishes from the form and a subscriber gets the message', async () => {
    const broker = await startDashboard()
    const page = await newPage(await openBrowser())
    await logIn(page, broker)
    const device = await mqttClient(broker, { clientId: 'valve-3' })
    await device.subscribeAsync('valves/#', { qos: 1 })
    const received = new Promise<{ topic: string; payload: string; qos: number }>((resolve) =>
      device.once('message', (topic, payload, packet) =>
        resolve({ topic, payload: String(payload), qos: packet.qos }),
      ),
    )

    await page.locator('#publish summary').click()
    await page.locator('#publish-topic').fill('valves/3/set')
    await page.locator('#publish-payload').fill('close <now>')
    await page.locator('#publish-qos').selectOption('1')
    await page.locator('#publish-form button[type=submit]').click()

    await page
      .locator('#publish-status', { hasText: 'Published to valves/3/set (QoS 1)' })
      .waitFor()
    expect(await received).toEqual({ topic: 'valves/3/set', payload: 'close <now>', qos: 1 })
  })

  test('a bad topic is refused with the code naming it, shown on the page', async () => {
    const broker = await startDashboard()
    // not newPage(): the 400 the page is to show is also reported on its console
    const page = await (await openBrowser()).newPage()
    page.setDefaultTimeout(8000)
    await logIn(page, broker)

    await page.locator('#publish summary').click()
    await page.locator('#publish-topic').fill('valves/#')
    await page.locator('#publish-form button[type=submit]').click()

    await page.locator('#publish-status.error', { hasText: 'BAD_TOPIC' }).waitFor()
    expect(await page.locator('#publish-status').textContent()).toContain('wildcards')
  })

  test('a viewer that has not logged in has no publish form', async () => {
    const broker = await startDashboard()
    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    await page.locator('#sessions').waitFor()
    expect(await page.locator('#publish').count()).toBe(0)
  })
})
