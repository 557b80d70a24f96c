import { describe, expect, test } from 'vitest'
import { connect5 } from '../helpers/mqtt5.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { chromiumAvailable, docsScreenshot, newPage, openBrowser, row } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

// 2 h 3 min 30 s: "2 h 3 min" for the first minute after it is set
const EXPIRY = 7410

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('an MQTT 5 session shows Clean Start, its Session Expiry as the time it ends, Will delay, subscription options, message expiry and the DISCONNECT reason by name', async () => {
    const broker = await startDashboard()
    const changes = new SessionChanges(broker.sessions)
    const options = {
      clientId: 'dev5',
      clean: false,
      properties: { sessionExpiryInterval: EXPIRY },
      will: {
        topic: 'dev5/gone',
        payload: Buffer.from('bye'),
        qos: 1 as const,
        properties: { willDelayInterval: 30 },
      },
    }
    const { client } = await connect5(broker.urls.mqtt, options)
    await client.subscribeAsync('plant/#', {
      qos: 1,
      nl: true,
      rap: true,
      rh: 1,
      properties: { subscriptionIdentifier: 7 },
    })
    await client.subscribeAsync('$share/g1/jobs/+', { qos: 1 })

    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 1200, height: 900 })
    await page.goto(`${broker.urls.http}/`)
    // the list names the protocol by its version
    expect(await row(page, 'dev5').locator('td.protocol').textContent()).toBe('5.0')

    await page.goto(`${broker.urls.http}/sessions/dev5`)
    await page.locator('#live-status[data-state="live"]').waitFor()
    const field = (name: string) => page.locator(`[data-field="${name}"]`)
    await field('Clean Start').filter({ hasText: /^0$/ }).waitFor()
    expect(await field('clean session').count()).toBe(0)
    expect(await field('protocol').textContent()).toBe('5.0')
    expect(await field('session expiry').textContent()).toBe(
      `Session Expiry ${EXPIRY} s: ends 2 h 3 min after it disconnects`,
    )
    expect(await page.locator('#will-delay').textContent()).toBe(
      '30 s after the connection closes (earlier if the session ends first)',
    )
    expect(await page.locator('#subscriptions li').allTextContents()).toEqual([
      'plant/# (QoS 1, No Local, Retain As Published, Retain Handling 1, identifier 7)',
      '$share/g1/jobs/+ (QoS 1, shared by group g1)',
    ])

    // taken over: the old connection was told 0x8E, and the history says so by name
    const { client: next } = await connect5(broker.urls.mqtt, { ...options, clean: false })
    await changes.next('disconnect', 'dev5')
    const disconnect = page.locator('#history > li[data-type="disconnect"] .what')
    await disconnect
      .filter({
        hasText: /^disconnect \(takeover by .+; server sent DISCONNECT 0x8E Session taken over\)$/,
      })
      .waitFor()

    // offline: the end is a moment, from the store's record
    await next.endAsync()
    await page.locator('#state-badge', { hasText: 'offline' }).waitFor()
    expect(await field('session expiry').textContent()).toMatch(
      new RegExp(
        `^Session Expiry ${EXPIRY} s: expires in 2 h 3 min \\(at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)$`,
      ),
    )
    expect(await field('Clean Start').textContent()).toBe('—')

    // a queued message with a Message Expiry Interval shows how long it has left
    const { client: publisher } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
    await publisher.publishAsync('plant/x', 'soon stale', {
      qos: 1,
      properties: { messageExpiryInterval: 600 },
    })
    await publisher.publishAsync('plant/y', 'keeps', { qos: 1 })
    const expires = page.locator('#queue-table tbody tr td.expires')
    await expires.nth(1).waitFor()
    expect(await expires.nth(0).textContent()).toMatch(/^(9|10) min$/)
    expect(await expires.nth(1).textContent()).toBe('—')
    expect(await page.locator('#queue-table thead th').allTextContents()).toContain('expires in')
    const shot = await docsScreenshot(page, 'session-mqtt5')
    expect(shot.width).toBe(1200)
  })
})
