import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { reportColumns } from '../../clients/sim/report-columns.ts'
import type { SimReport, StrategySummary } from '../../clients/sim/summary.ts'
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
    const column = (n: number) =>
      page.locator(`#sim-table tbody td:nth-child(${n})`).allTextContents()
    const [strategies, lost] = await Promise.all([column(1), column(5)])
    expect(strategies.map((strategy, i) => [strategy, lost[i]])).toEqual([
      ['persistent', '0'],
      ['clean', '400'],
      ['resubscribe', '150'],
    ])
    // the columns of the Markdown report, bytes held included: the API answered
    await expect(page.locator('#sim-table thead th').allTextContents()).resolves.toEqual(
      reportColumns(report).map((c) => c.header),
    )
    await expect(page.locator('#sim p').first().textContent()).resolves.toContain('seed 42')
    await screenshot(page, 'compare-with-simulation')
  })
})
