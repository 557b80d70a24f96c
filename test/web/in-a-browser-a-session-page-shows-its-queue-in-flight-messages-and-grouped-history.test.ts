import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { chromiumAvailable, docsScreenshot, newPage, openBrowser } from './browser.ts'
import { CONTROL, deviceWithAQueue, HOSTILE, openSession } from './session-device.ts'

/** The text of each cell of the queue table's rows, by cell class. */
async function rows(page: Page, table: string) {
  return page.locator(`#${table} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => {
      const cells: Record<string, string> = { row: tr.getAttribute('data-state') ?? '' }
      const tds = Array.from(tr.querySelectorAll('td')) as {
        className: string
        textContent: string | null
      }[]
      for (const td of tds) {
        cells[td.className] = td.textContent ?? ''
      }
      return cells
    }),
  )
}

/** Pixels of the chart's canvas that are not transparent: uPlot drew it. */
async function drawnPixels(page: Page): Promise<number> {
  const drawn = await page.evaluate(`(() => {
    const canvas = document.querySelector('#queue-chart canvas')
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    let drawn = 0
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++
    return drawn
  })()`)
  return Number(drawn)
}

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a device with a queue shows each message queued and in flight with its fields, the incoming QoS 2 one, its history newest first in groups, its queue-depth chart and what Follow does', async () => {
    const { broker, inflight } = await deviceWithAQueue()
    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 1200, height: 900 })
    await openSession(broker, page)

    const age = expect.stringMatching(/^\d+ (s|min)$/)
    expect(await rows(page, 'queue-table')).toEqual([
      // sent before it dropped, so its next send carries DUP=1 [MQTT-3.3.1-1]
      {
        row: 'inflight',
        'message-id': String(inflight[0]),
        state: 'in flight, awaiting PUBACK',
        topic: 'plant/temp',
        qos: '1',
        dup: '1',
        retain: '0',
        size: '4 B',
        age,
        // no Message Expiry on 3.1.1 messages
        expires: '—',
        payload: '25.5',
      },
      {
        row: 'inflight',
        'message-id': String(inflight[1]),
        state: 'in flight, awaiting PUBREC',
        topic: 'plant/valve',
        qos: '2',
        dup: '1',
        retain: '0',
        size: '4 B',
        age,
        // no Message Expiry on 3.1.1 messages
        expires: '—',
        payload: 'open',
      },
      ...[
        ['plant/temp', '4 B', '26.0'],
        ['plant/temp', '4 B', '26.5'],
        ['plant/cmd', `${Buffer.byteLength(HOSTILE)} B`, `${HOSTILE.slice(0, 64)}…`],
        ['plant/raw', '7 B', `hex ${CONTROL.toString('hex')}`],
      ].map(([topic, size, payload]) => ({
        row: 'queued',
        'message-id': '—',
        state: 'queued',
        topic,
        qos: '1',
        dup: '0',
        retain: '0',
        size,
        age,
        // no Message Expiry on 3.1.1 messages
        expires: '—',
        payload,
      })),
    ])

    // the hostile payload is text: no element came of it, nothing ran
    const hostile = page.locator('#queue-table td.payload code').nth(4)
    expect(await hostile.textContent()).toBe(`${HOSTILE.slice(0, 64)}…`)
    expect(await hostile.evaluate((code) => code.childElementCount)).toBe(0)
    expect(await page.locator('#queue script, #queue img').count()).toBe(0)
    expect(await page.evaluate('window.pwned')).toBeUndefined()
    // control characters are shown as hex, never raw
    await expect(
      page.locator('#queue-table td.payload code').nth(5).getAttribute('data-kind'),
    ).resolves.toBe('hex')

    expect(await rows(page, 'incoming-table')).toEqual([
      {
        row: 'incoming',
        'message-id': '5',
        state: 'PUBREC sent, awaiting PUBREL',
        topic: 'dev/42/status',
        qos: '2',
        dup: '0',
        retain: '0',
        size: '9 B',
        age: '—',
        expires: '—',
        payload: 'rebooting',
      },
    ])

    // newest first, repeats in one line
    const history = await page
      .locator('#history > li')
      .evaluateAll((items) =>
        items.map((li) => [
          li.getAttribute('data-type'),
          li.getAttribute('data-count'),
          li.querySelector('.what')?.textContent,
        ]),
      )
    expect(history).toEqual([
      ['queued', '1', 'queued plant/raw (QoS 1, 7 B)'],
      ['queued', '1', `queued plant/cmd (QoS 1, ${Buffer.byteLength(HOSTILE)} B)`],
      ['queued', '2', '2 × queued plant/temp (QoS 1)'],
      ['disconnect', '1', 'disconnect (network)'],
      ['delivered', '5', '5 × delivered plant/temp (QoS 1)'],
      ['subscribe', '1', 'subscribe plant/# (QoS 2)'],
      ['connect', '1', expect.stringMatching(/^connect \(clean=false/)],
    ])
    // a group shows its time range, and each of its events when opened
    const group = page.locator('#history > li[data-type="delivered"]')
    expect(await group.locator('summary time').textContent()).toMatch(/ – /)
    await group.locator('summary').click()
    await expect(group.locator('.history-events li').allTextContents()).resolves.toHaveLength(5)

    // the broker's samples, drawn by uPlot
    await page.locator('#queue-chart[data-points="3"]').waitFor()
    expect(await drawnPixels(page)).toBeGreaterThan(0)

    // the protocol by its version name, as the list shows it, not the CONNECT's level byte
    expect(await page.locator('[data-field="protocol"]').textContent()).toBe('3.1.1')

    // Follow is explained, and following shows
    const help = (await page.locator('#follow-help').textContent()) ?? ''
    expect(help).toContain('not of the MQTT session')
    expect(help).toContain('While you were away')
    expect(await page.locator('#followed-badge').count()).toBe(0)
    await page.locator('#follow', { hasText: /^Follow$/ }).click()
    await page.locator('#followed-badge', { hasText: 'followed' }).waitFor()
    await page.locator('#follow-state[data-followed="true"]').waitFor()

    // the page drew itself again (followed): the group opened stays open
    expect(await group.locator('details[open]').count()).toBe(1)
    await group.locator('summary').click() // closed again, as a person would see the page
    await group.locator('details:not([open])').waitFor()
    const shot = await docsScreenshot(page, 'session')
    expect(shot.width).toBe(1200)
    expect(shot.height).toBeGreaterThan(900)
  })
})
