import { describe, expect, test } from 'vitest'
import { SessionChanges } from '../helpers/session-changes.ts'
import {
  chromiumAvailable,
  logIn,
  mqttClient,
  newPage,
  openBrowser,
  row,
  screenshot,
} from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('Delete asks first with Cancel focused, naming the queued messages; cancelling keeps the session, confirming deletes it', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    const device = await mqttClient(broker, { clientId: 'tank-4', clean: false })
    await device.subscribeAsync('tanks/4/#', { qos: 1 })
    await device.endAsync(true)
    await changes.next('disconnect', 'tank-4')
    const publisher = await mqttClient(broker, { clientId: 'publisher' })
    for (const level of ['40', '41', '42']) {
      await publisher.publishAsync('tanks/4/level', level, { qos: 1 })
    }
    const page = await newPage(await openBrowser())
    await logIn(page, broker)
    const tank = row(page, 'tank-4')
    await tank.locator('td.queued', { hasText: '3' }).waitFor()

    await tank.locator('button.op-delete').click()
    const dialog = page.locator('dialog#confirm[open]')
    await dialog.waitFor()
    await expect(dialog.locator('h2').textContent()).resolves.toBe('Delete the session of tank-4?')
    const lost = await dialog.locator('#confirm-consequences').textContent()
    expect(lost).toContain('3 queued messages (6 B) and 1 subscription are thrown away for good')
    // the safe choice has the focus (an expression: the tests are type-checked without the DOM)
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('confirm-cancel')
    await screenshot(page, 'confirm-delete')
    await dialog.locator('#confirm-cancel').click()
    await page.locator('dialog#confirm').waitFor({ state: 'detached' })
    expect(await broker.sessions.get('tank-4')).toMatchObject({ queue: { count: 3 } })

    // Escape is a cancel too
    await tank.locator('button.op-delete').click()
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await page.locator('dialog#confirm').waitFor({ state: 'detached' })
    expect(await broker.sessions.get('tank-4')).not.toBeNull()

    await tank.locator('button.op-delete').click()
    await dialog.locator('#confirm-ok').click()
    await changes.next('deleted', 'tank-4')
    expect(await broker.sessions.get('tank-4')).toBeNull()
    await tank.waitFor({ state: 'detached' })
  })

  test('Disconnect asks first, saying the Will is published and the session kept', async () => {
    const broker = await startDashboard()
    const device = await mqttClient(broker, {
      clientId: 'valve-9',
      clean: false,
      will: { topic: 'valves/9/status', payload: Buffer.from('lost'), qos: 1, retain: true },
    })
    await device.subscribeAsync('valves/9/#', { qos: 1 })
    const page = await newPage(await openBrowser())
    await logIn(page, broker)
    await page.goto(`${broker.urls.http}/sessions/valve-9`)

    await page.locator('button.op-disconnect').click()
    const dialog = page.locator('dialog#confirm[open][data-action="disconnect"]')
    const lost = await dialog.locator('#confirm-consequences').textContent()
    expect(lost).toContain('Its Will is published, on valves/9/status (QoS 1, retained).')
    expect(lost).toContain(
      'The session is kept (CleanSession=0): 1 subscription and 0 queued messages',
    )
    await dialog.locator('#confirm-cancel').click()
    await page.locator('dialog#confirm').waitFor({ state: 'detached' })
    expect(device.connected).toBe(true)

    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()))
    await page.locator('button.op-disconnect').click()
    await dialog.locator('#confirm-ok').click()
    await closed
    await page.locator('dd[data-field="state"]', { hasText: 'offline' }).waitFor()
  })
})
