import { describe, expect, test } from 'vitest'
import { dashboard } from '../../web/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { chromiumAvailable, newPage, openBrowser } from './browser.ts'

const SESSIONS = 10_000
/** The broker's ring: an hour at one sample every 5 s. */
const RING = 720
const UPDATES = 3
const CHARTS = ['chart-sessions', 'chart-queued', 'chart-rates', 'chart-drops']

// What the page shows at this size; how long it takes is measured by `npm run bench:dashboard`
// (bench/dashboard.ts, figures in bench/RESULTS.md), not asserted here.
describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('10,000 sessions and a full hour of samples: the overview counts them all, draws the hour and adds each live sample, keeping an hour', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store: 'sqlite' }, { clock, http: dashboard() })
    // sessions made in the store, as the session list's 10,000-session test does: connecting
    // 10,000 clients would test the connects
    const ids = Array.from({ length: SESSIONS }, (_, i) => `fleet/${String(i).padStart(5, '0')}`)
    await Promise.all(ids.map((id) => broker.store.openSession(id)))
    await broker.store.flush()
    const sampler = broker.history.sampler
    const tick = async () => {
      clock.advance(sampler.intervalMs)
      await sampler.sampleNow()
    }
    for (let i = 0; i < RING; i++) await tick()
    expect(sampler.history().times).toHaveLength(RING)

    const page = await newPage(await openBrowser())
    await page.setViewportSize({ width: 1200, height: 900 })
    await page.goto(`${broker.urls.http}/overview`)
    // counted from the store, not from a page of the list
    await page.locator(`#card-offline .value[data-value="${SESSIONS}"]`).waitFor()
    await page.locator('#card-online .value[data-value="0"]').waitFor()
    for (const chart of CHARTS) await page.locator(`#${chart}[data-points="${RING}"]`).waitFor()
    // 720 samples 5 s apart span 3,595 s: the caption says the hour it shows
    await expect(page.locator('#overview-window').textContent()).resolves.toMatch(
      /^The last 60 min, one sample every 5 s;/,
    )
    // the page marks when it was drawn (read by the bench), and the live channel's opening
    // read the history once more
    expect(Number(await page.locator('#overview').getAttribute('data-ready-ms'))).toBeGreaterThan(0)
    await page.locator('#overview[data-loads="2"]').waitFor()

    // each sample the live channel brings is drawn; the oldest leaves, so the charts keep an hour
    for (let i = 1; i <= UPDATES; i++) {
      await tick()
      await page.locator(`#overview[data-updates="${i}"]`).waitFor()
    }
    for (const chart of CHARTS) {
      await expect(page.locator(`#${chart}`).getAttribute('data-points')).resolves.toBe(
        String(RING),
      )
    }
    await expect(page.locator('#overview-window').textContent()).resolves.toMatch(
      /^The last 60 min/,
    )
    await page.locator(`#card-offline .value[data-value="${SESSIONS}"]`).waitFor()
  }, 120_000)
})
