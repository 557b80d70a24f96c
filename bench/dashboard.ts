/**
 * `npm run bench:dashboard -- [--sessions 10000,100000] [--runs 5] [--updates 50]`: what the
 * dashboard costs a browser with many sessions and a full hour of metric samples. The browser tests
 * check what these pages show; their speed is measured here, not asserted there.
 *
 * For each count, a broker with the dashboard on a fresh SQLite data dir and a hand-driven clock;
 * the sessions written through the store API (`seed-sessions.ts`), then 720 samples taken (the
 * overview's full ring: an hour at one every 5 s). Then, `--runs` times each, every page load in a
 * new Chromium context (/usr/bin/chromium, headless, 1280×900, no cache):
 *
 * - the overview: navigation start to its cards and four charts of 720 points drawn (the page's
 *   own `data-ready-ms`) and the same seen from here (`goto` to the last chart's `data-points`);
 *   then `--updates` samples, each awaited until drawn, and one live update's cost (the page's
 *   `data-update-ms` ÷ updates: every chart's `setData` of its 720 points);
 * - the session list: navigation start to its first 50 rows drawn (`data-first-rows-ms`) and the
 *   same seen from here (`goto` to the 50th row);
 * - the API: `GET /api/sessions?limit=50`, the list's first page as the page asks it, after one
 *   untimed call.
 *
 * The browser code is bundled once per broker process on its first request; that is fetched
 * before anything is timed, since it is not a page's cost.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { createBroker } from '../broker/broker.ts'
import { loadConfig } from '../broker/config.ts'
import type { SessionPage } from '../broker/inspector/types.ts'
import { ManualClock } from '../test/helpers/manual-clock.ts'
import { dashboard } from '../web/index.ts'
import { BenchUsageError } from './args.ts'
import {
  DASHBOARD_USAGE,
  type FigureRow,
  figuresTable,
  parseDashboardBenchArgs,
  spreadOf,
} from './dashboard-figures.ts'
import { describeMachine } from './machine.ts'
import { seedSessions } from './seed-sessions.ts'

/** The overview's ring: an hour at one sample every 5 s. */
const RING = 720
const PAGE = 50
const CHARTS = ['chart-sessions', 'chart-queued', 'chart-rates', 'chart-drops']

let options: ReturnType<typeof parseDashboardBenchArgs>
try {
  options = parseDashboardBenchArgs(process.argv.slice(2))
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err
  console.error(`${err.message}\n\n${DASHBOARD_USAGE}`)
  process.exit(2)
}

const machine = describeMachine()
console.log(
  `${machine.date}: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ` +
    `load average ${loadAverage()}`,
)
const rows: FigureRow[] = []
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
})
try {
  for (const count of options.sessions) rows.push(...(await measure(browser, count)))
} finally {
  await browser.close()
}
console.log(`\nload average at the end ${loadAverage()}\n`)
console.log(figuresTable(rows).join('\n'))

async function measure(browser: Browser, count: number): Promise<FigureRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sessionlab-bench-dashboard-'))
  const loaded = loadConfig([])
  if ('help' in loaded) throw new Error('unexpected help')
  const config = {
    ...loaded.config,
    ...{ mqttPort: 0, wsPort: 0, httpPort: 0, mqttsPort: 0, wssPort: 0 },
    store: 'sqlite' as const,
    dataDir,
  }
  // the sampler runs on this clock: it samples when the bench says, never on its own
  const clock = new ManualClock(Date.now())
  const broker = await createBroker(config, undefined, { clock, http: dashboard() })
  try {
    const seeded = performance.now()
    await seedSessions(broker.store, count)
    const sample = async () => {
      clock.advance(broker.history.sampler.intervalMs)
      await broker.history.sampler.sampleNow()
    }
    for (let i = 0; i < RING; i++) await sample()
    if (broker.history.sampler.history().times.length !== RING) throw new Error('ring not full')
    console.log(
      `\n${count.toLocaleString('en')} offline sessions and ${RING} samples ready in ` +
        `${Math.round(performance.now() - seeded)} ms; load average ${loadAverage()}`,
    )
    const http = broker.urls.http
    const bundle = await fetch(`${http}/assets/app.js`)
    if (bundle.status !== 200) throw new Error(`the bundle answered ${bundle.status}`)

    const overviewReady: number[] = []
    const overviewSeen: number[] = []
    const perUpdate: number[] = []
    const listRows: number[] = []
    const listSeen: number[] = []
    for (let run = 1; run <= options.runs; run++) {
      await inNewPage(browser, async (page) => {
        const started = performance.now()
        await page.goto(`${http}/overview`)
        await page.locator(`#card-offline .value[data-value="${count}"]`).waitFor()
        for (const chart of CHARTS) await page.locator(`#${chart}[data-points="${RING}"]`).waitFor()
        overviewSeen.push(performance.now() - started)
        overviewReady.push(await numberAttribute(page, '#overview', 'data-ready-ms'))
        // the live channel's first opening reads the history again: let it, before updates
        await page.locator('#overview[data-loads="2"]').waitFor()
        for (let i = 1; i <= options.updates; i++) {
          await sample()
          await page.locator(`#overview[data-updates="${i}"]`).waitFor()
        }
        const total = await numberAttribute(page, '#overview', 'data-update-ms')
        perUpdate.push(total / options.updates)
      })
      await inNewPage(browser, async (page) => {
        const started = performance.now()
        await page.goto(`${http}/`)
        await page.locator(`#session-rows tr >> nth=${PAGE - 1}`).waitFor()
        listSeen.push(performance.now() - started)
        listRows.push(await numberAttribute(page, '#sessions', 'data-first-rows-ms'))
        const first = await page.locator('#session-rows tr td.client-id').first().textContent()
        if (first !== 'fleet/000000') throw new Error(`the list starts at ${first}`)
      })
      console.log(`  run ${run}/${options.runs} done`)
    }
    const api = await apiFirstPage(http)
    return [
      {
        figure: 'overview: navigation → cards and 4 charts drawn (page)',
        sessions: count,
        spread: spreadOf(overviewReady),
      },
      {
        figure: 'overview: goto → last chart drawn (bench)',
        sessions: count,
        spread: spreadOf(overviewSeen),
      },
      {
        figure: 'overview: one live update, 4 charts of 720 points',
        sessions: count,
        spread: spreadOf(perUpdate),
      },
      {
        figure: 'session list: navigation → first 50 rows drawn (page)',
        sessions: count,
        spread: spreadOf(listRows),
      },
      {
        figure: 'session list: goto → 50th row drawn (bench)',
        sessions: count,
        spread: spreadOf(listSeen),
      },
      { figure: 'API: GET /api/sessions?limit=50', sessions: count, spread: spreadOf(api) },
    ]
  } finally {
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Runs `use` on a page of a new context (no cache, no cookies), closed after. */
async function inNewPage(browser: Browser, use: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(60_000)
    await use(page)
  } finally {
    await context.close()
  }
}

async function numberAttribute(page: Page, selector: string, name: string): Promise<number> {
  return Number(await page.locator(selector).getAttribute(name))
}

/** The list's first page as the page asks it, `options.runs` times after one untimed call. */
async function apiFirstPage(http: string): Promise<number[]> {
  const url = `${http}/api/sessions?limit=${PAGE}`
  const ask = async () => {
    const page = (await (await fetch(url)).json()) as SessionPage
    if (page.sessions.length !== PAGE) throw new Error(`a first page of ${page.sessions.length}`)
  }
  await ask()
  const samples: number[] = []
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now()
    await ask()
    samples.push(performance.now() - started)
  }
  return samples
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')
}
