import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { StrategySummary } from '../../clients/sim/aggregate.ts'
import type { SimReport } from '../../clients/sim/report.ts'
import { tempDir } from '../helpers/broker.ts'
import { chromiumAvailable, newPage, openBrowser, screenshot } from './browser.ts'
import { startDashboard } from './viewer-client.ts'

function summary(strategy: StrategySummary['strategy'], lost: number): StrategySummary {
  return {
    strategy,
    devices: 5,
    sent: 100,
    expected: 500,
    delivered: 500 - lost,
    lost,
    duplicated: 0,
    predictedLost: lost,
    latencyMs: { p50: 3, p95: 40, p99: 90, max: 120 },
    reconnects: 12,
    reconnectMs: { p50: 2, p95: 5, p99: 6, max: 7 },
    sessionsLost: 0,
    heldBytesPeak: strategy === 'persistent' ? 2048 : 0,
    durationMs: 5000,
  }
}

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('a report saved in the data dir is shown, one row per strategy', async () => {
    const dataDir = tempDir()
    const report: SimReport = {
      broker: 'mqtt://127.0.0.1:1883',
      seed: 42,
      devices: 5,
      messages: 100,
      rate: 20,
      qos: 1,
      payloadBytes: 16,
      offlineMeanMs: 1000,
      onlineMeanMs: 2000,
      schedule: { offlinePeriods: 12, publishedWhileOffline: 150, periods: [] },
      heldBytes: { api: 'http://127.0.0.1:8080' },
      strategies: [summary('persistent', 0), summary('clean', 400), summary('resubscribe', 150)],
    }
    writeFileSync(join(dataDir, 'sim-report.json'), JSON.stringify(report))
    const broker = await startDashboard({ dataDir })
    const page = await newPage(await openBrowser())
    await page.goto(`${broker.urls.http}/compare`)
    await page.locator('#sim-table tbody tr').first().waitFor()
    const rows = await page
      .locator('#sim-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)))
    expect(rows.map((r) => [r[0], r[4]])).toEqual([
      ['persistent', '0'],
      ['clean', '400'],
      ['resubscribe', '150'],
    ])
    await expect(page.locator('#sim p').first().textContent()).resolves.toContain('seed 42')
    await screenshot(page, 'compare-with-simulation')
  })
})
