import mqtt from 'mqtt'
import { describe, expect, onTestFinished, test } from 'vitest'
import {
  chromiumAvailable,
  docsScreenshot,
  mqttClient,
  newPage,
  openBrowser,
  row,
} from './browser.ts'
import { startDashboard } from './viewer-client.ts'

const DAY = 86_400_000

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('columns show address, username, protocol, times ago with their date, the following badge; a header sorts the whole list; filter and sort survive reload and back', async () => {
    const broker = await startDashboard({ store: 'sqlite' })
    const now = Date.now()
    // offline sessions written through the store: one away for days, one the store knows nothing of
    const offline: [string, number, Record<string, unknown>][] = [
      [
        'pump-old',
        2,
        {
          protocolVersion: 3,
          username: 'field',
          remoteAddress: '10.0.0.7:50211',
          connectedAt: now - 3 * DAY,
          lastActivity: now - 3 * DAY + 60_000,
          disconnectedAt: now - 3 * DAY + 60_000,
        },
      ],
      ['pump-bare', 5, {}],
    ]
    for (const [clientId, queued, touch] of offline) {
      await broker.store.openSession(clientId)
      await broker.store.touchSession(clientId, touch)
      for (let i = 1; i <= queued; i++) {
        await broker.store.outgoingEnqueueCombi([{ clientId }], {
          cmd: 'publish',
          topic: 'cmd',
          payload: Buffer.from('x'),
          qos: 1,
          retain: false,
          dup: false,
          brokerId: 'seed',
          brokerCounter: i,
        })
      }
    }
    await broker.store.flush()
    await mqttClient(broker, { clientId: 'pump-live', username: 'ops', clean: true })
    // over WebSocket: its address is the HTTP upgrade request's peer
    const ws = await mqtt.connectAsync(broker.urls.ws, { clientId: 'pump-ws', reconnectPeriod: 0 })
    onTestFinished(() => ws.endAsync(true))

    const page = await newPage(await openBrowser())
    // the width of the README's other screenshots; low, as the list of four is
    await page.setViewportSize({ width: 1200, height: 540 })
    await page.goto(`${broker.urls.http}/sessions/pump-bare`)
    await page.locator('#follow', { hasText: /^Follow$/ }).click()
    await page.locator('#follow', { hasText: /^Unfollow$/ }).waitFor()

    await page.goto(`${broker.urls.http}/`)
    await page.locator('#count-total', { hasText: '4 total' }).waitFor()
    const old = row(page, 'pump-old')
    await expect(old.locator('td.address').textContent()).resolves.toBe('10.0.0.7:50211')
    await expect(old.locator('td.username').textContent()).resolves.toBe('field')
    await expect(old.locator('td.protocol').textContent()).resolves.toBe('3.1')
    await expect(old.locator('td.last-activity .ago').textContent()).resolves.toBe('2 days ago')
    // the date of a session away for days, in the cell and its title
    const day = new Date(now - 3 * DAY + 60_000)
    const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`
    await expect(old.locator('td.last-activity .at').textContent()).resolves.toContain(date)
    await expect(old.locator('td.last-activity').getAttribute('title')).resolves.toContain(date)
    await expect(old.locator('td.state .badge').textContent()).resolves.toBe('offline')

    const bare = row(page, 'pump-bare')
    for (const cell of ['address', 'username', 'protocol', 'connected-at', 'last-activity']) {
      await expect(bare.locator(`td.${cell}`).textContent(), cell).resolves.toBe('—')
    }
    await expect(bare.locator('.badge.following').textContent()).resolves.toBe('following')
    await expect(old.locator('.badge.following').count()).resolves.toBe(0)

    const live = row(page, 'pump-live')
    await expect(live.locator('td.username').textContent()).resolves.toBe('ops')
    await expect(live.locator('td.protocol').textContent()).resolves.toBe('3.1.1')
    await expect(live.locator('td.address').textContent()).resolves.toMatch(/^127\.0\.0\.1:\d+$/)
    await expect(live.locator('td.last-activity .ago').textContent()).resolves.toMatch(
      /just now|\d+ s ago/,
    )
    await expect(row(page, 'pump-ws').locator('td.address').textContent()).resolves.toMatch(
      /^127\.0\.0\.1:\d+$/,
    )

    const ids = () =>
      page
        .locator('#session-rows tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-client-id')))
    const rowsOf = (state: string, sort: string, order: string) =>
      page
        .locator(`#session-rows[data-state="${state}"][data-sort="${sort}"][data-order="${order}"]`)
        .waitFor()
    // a click sorts by queue length, longest first (ties by ClientID, also downwards); a second click turns it round
    await page.locator('th.queued button.sort').click()
    await rowsOf('all', 'queued', 'desc')
    await expect(ids()).resolves.toEqual(['pump-bare', 'pump-old', 'pump-ws', 'pump-live'])
    await expect(page.locator('th.queued').getAttribute('aria-sort')).resolves.toBe('descending')
    await expect(page.locator('th.queued .sort-mark').textContent()).resolves.toBe('▼')
    expect(new URL(page.url()).search).toBe('?state=all&sort=queued&order=desc')
    // the README's picture of the list (docs/img/session-list.png with SCREENSHOTS=1)
    expect((await docsScreenshot(page, 'session-list')).width).toBe(1200)
    await page.locator('th.queued button.sort').click()
    await rowsOf('all', 'queued', 'asc')
    await expect(ids()).resolves.toEqual(['pump-live', 'pump-ws', 'pump-old', 'pump-bare'])
    await expect(page.locator('th.queued').getAttribute('aria-sort')).resolves.toBe('ascending')
    await expect(page.locator('th.client-id').getAttribute('aria-sort')).resolves.toBe('none')

    // the filter joins the sort in the URL; a reload shows the same list
    await page.locator('#filter-state').selectOption('offline')
    await rowsOf('offline', 'queued', 'asc')
    await expect(ids()).resolves.toEqual(['pump-old', 'pump-bare'])
    expect(new URL(page.url()).search).toBe('?state=offline&sort=queued&order=asc')
    await page.reload()
    await rowsOf('offline', 'queued', 'asc')
    await expect(ids()).resolves.toEqual(['pump-old', 'pump-bare'])
    await expect(page.locator('#filter-state').inputValue()).resolves.toBe('offline')
    await expect(page.locator('#sort-by').inputValue()).resolves.toBe('queued asc')

    // back: the whole list sorted as before the filter; back again: the queue longest first
    await page.goBack()
    await rowsOf('all', 'queued', 'asc')
    await expect(page.locator('#filter-state').inputValue()).resolves.toBe('all')
    await page.goBack()
    await rowsOf('all', 'queued', 'desc')
    await expect(ids()).resolves.toEqual(['pump-bare', 'pump-old', 'pump-ws', 'pump-live'])
    await page.goForward()
    await rowsOf('all', 'queued', 'asc')

    // the narrow screen's sort control sorts the same way: latest activity first
    await page.locator('#sort-by').selectOption('lastActivity desc')
    await rowsOf('all', 'lastActivity', 'desc')
    const order = await ids()
    expect(order.slice(2)).toEqual(['pump-old', 'pump-bare'])
    await expect(page.locator('th.last-activity').getAttribute('aria-sort')).resolves.toBe(
      'descending',
    )
  })
})
