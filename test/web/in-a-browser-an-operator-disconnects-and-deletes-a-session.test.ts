import { describe, expect, test } from 'vitest'
import { chromiumAvailable, logIn, mqttClient, newPage, openBrowser, row } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('an operator disconnects a client and deletes its session with the buttons; the history says admin', async () => {
    const broker = await startDashboard()
    const page = await newPage(await openBrowser())
    await logIn(page, broker)

    const device = await mqttClient(broker, { clientId: 'valve-2', clean: false })
    await device.subscribeAsync('valves/2', { qos: 1 })
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()))
    const valve = row(page, 'valve-2')
    await valve.locator('td.state', { hasText: 'online' }).waitFor()

    await valve.locator('button.op-disconnect').click()
    await page.locator('dialog#confirm[open] #confirm-ok').click()
    await closed
    await valve.locator('td.state', { hasText: 'offline' }).waitFor()
    const session = await broker.sessions.get('valve-2')
    expect(session?.history.at(-1)).toMatchObject({ type: 'disconnect', reason: 'admin' })

    await valve.locator('td.client-id a').click()
    await page.locator('#history li[data-type="disconnect"]', { hasText: 'admin' }).waitFor()
    await page.locator('button.op-delete').click()
    await page.locator('dialog#confirm[open] #confirm-ok').click()
    await page.locator('#gone').waitFor()
    expect(await broker.sessions.get('valve-2')).toBeNull()

    await page.goto(`${broker.urls.http}/`)
    await page.locator('#count-total', { hasText: '0 total' }).waitFor()
    expect(await page.locator('#session-rows tr').count()).toBe(0)
  })

  test('a viewer that has not logged in sees no operator buttons', async () => {
    const broker = await startDashboard()
    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/`)
    await mqttClient(broker, { clientId: 'meter-1' })
    await row(page, 'meter-1').waitFor()
    expect(await page.locator('button.op-disconnect, button.op-delete').count()).toBe(0)
  })
})
