import { describe, expect, test } from 'vitest'
import { connect5 } from '../helpers/mqtt5.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, docsScreenshot, newPage, openBrowser } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('the MQTT 5 pair: Session Expiry N s beside a cookie with Max-Age=N, expiry 0 beside a browser-session cookie, measured here', async () => {
    const broker = await startDashboard({}, { viewMaxAge: 3600 })
    const changes = new SessionChanges(broker.sessions)
    const { client } = await connect5(broker.urls.mqtt, {
      clientId: 'meter-5',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    })
    await client.subscribeAsync('tariffs/#', { qos: 1 })
    await client.endAsync()
    await changes.next('disconnect', 'meter-5')
    await connect5(broker.urls.mqtt, { clientId: 'probe-5' })

    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 1200, height: 900 })
    await page.goto(`${broker.urls.http}/compare`)
    await page.locator('#compare-mqtt5').waitFor()
    const headers = await page.locator('#compare-mqtt5 thead th').allTextContents()
    expect(headers).toEqual([
      '',
      'MQTT 5 Session Expiry 3600 s',
      'A cookie with Max-Age=3600 (persistent view)',
      'MQTT 5 Session Expiry 0',
      'A browser-session cookie (clean view)',
    ])
    const row = async (label: string) =>
      page
        .locator('#compare-mqtt5 tbody tr')
        .filter({ has: page.locator('th', { hasText: label }) })
        .locator('td')
        .allTextContents()
    // the page's own view is held with its page open; meter-5 is offline, probe-5 online
    expect(await row('held now')).toEqual(['0 / 1', '1 / 0', '1 / 0', '0 / 0'])
    const lasts = await row('how long it outlives')
    expect(lasts[0]).toMatch(/^1 h after the connection closes/)
    expect(lasts[1]).toMatch(/^1 h after the last visit/)
    expect(lasts[2]).toBe('ends with the connection')
    const ends = await row('the first held offline ends')
    expect(ends[0]).toMatch(/^expires in (59 min|1 h) \(at \d{4}-/)
    expect(ends.slice(1)).toEqual(['—', '—', '—'])
    const bytesHeld = await row('server bytes per session')
    expect(bytesHeld[0]).toMatch(/^\d+ B$/)
    expect(bytesHeld[3]).toBe('0 B')
    await docsScreenshot(page, 'compare-mqtt5')
  })
})
