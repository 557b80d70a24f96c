/**
 * `node --import tsx bench/session-list.ts [--sessions 10000,100000] [--runs 5]`: what the
 * dashboard's session list costs with many offline sessions in the SQLite store.
 *
 * For each count, a broker with the dashboard on a fresh SQLite data dir; the sessions written
 * through the store API (as the 10,000-session browser test does: connecting them all would
 * measure the connects), with connect and activity times spread over a week and 1 in 10 holding
 * 1–5 queued messages. Then:
 *
 * - the API: `GET /api/sessions?limit=50` for each sort and order, first page and the page after
 *   its cursor, median of `--runs`;
 * - Chromium (/usr/bin/chromium): navigation to the first rows drawn, for each sort (the page's
 *   own `data-first-rows-ms`, from navigation start, and the wall time seen from here), median;
 * - SQLite alone, on the same file with the broker closed: the store's sorted queries, first page
 *   and half-way down, with the version-4 indexes and with them dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { chromium } from 'playwright-core'
import { createBroker } from '../broker/broker.ts'
import { loadConfig } from '../broker/config.ts'
import type { SessionListSort, SessionPage } from '../broker/inspector/types.ts'
import { SortedSessionQueries } from '../broker/store/sqlite/sorted-sessions.ts'
import type { SessionSortKey, SortedSessionRange } from '../broker/store/types.ts'
import { dashboard } from '../web/index.ts'
import { describeMachine } from './machine.ts'
import { seedSessions } from './seed-sessions.ts'
import { median } from './stats.ts'

const SORTS: SessionListSort[] = ['clientId', 'state', 'queued', 'lastActivity', 'connectedAt']
const ORDERS = ['asc', 'desc'] as const

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '5' },
  },
})
const counts = values.sessions.split(',').map(Number)
const runs = Number(values.runs)
if (counts.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
  throw new Error('usage: session-list.ts [--sessions N,N] [--runs N]')
}

console.log(describeMachine())
for (const count of counts) await measure(count)

async function measure(count: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sessionlab-bench-list-'))
  const loaded = loadConfig([])
  if ('help' in loaded) throw new Error('unexpected help')
  const config = {
    ...loaded.config,
    ...{ mqttPort: 0, wsPort: 0, httpPort: 0, mqttsPort: 0, wssPort: 0 },
    store: 'sqlite' as const,
    dataDir,
  }
  const broker = await createBroker(config, undefined, { http: dashboard() })
  const seeded = Date.now()
  await seedSessions(broker.store, count)
  console.log(
    `\n## ${count.toLocaleString('en')} offline sessions (seeded in ${Date.now() - seeded} ms)`,
  )

  console.log('\nAPI, GET /api/sessions?limit=50 (median ms of %d):', runs)
  console.log('  sort          order  first page  next page')
  for (const sort of SORTS) {
    for (const order of ORDERS) {
      const first: number[] = []
      const next: number[] = []
      for (let i = 0; i < runs; i++) {
        const base = `${broker.urls.http}/api/sessions?limit=50&sort=${sort}&order=${order}`
        let started = performance.now()
        const page = (await (await fetch(base)).json()) as SessionPage
        first.push(performance.now() - started)
        if (page.sessions.length !== 50) throw new Error(`${sort} ${order}: a short first page`)
        started = performance.now()
        const after = await fetch(`${base}&cursor=${encodeURIComponent(page.next ?? '')}`)
        if (after.status !== 200) throw new Error(`${sort} ${order}: ${await after.text()}`)
        await after.json()
        next.push(performance.now() - started)
      }
      console.log(
        `  ${sort.padEnd(13)} ${order.padEnd(5)}  ${ms(median(first)).padStart(10)}  ${ms(median(next)).padStart(9)}`,
      )
    }
  }

  // the browser code is bundled on its first request, once per process: not the page's cost
  await fetch(`${broker.urls.http}/assets/app.js`)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  })
  try {
    console.log(
      '\nChromium, navigation to the first 50 rows drawn (median ms of %d; in the page / seen from the bench):',
      runs,
    )
    for (const sort of SORTS) {
      const order = sort === 'clientId' || sort === 'state' ? 'asc' : 'desc'
      const inPage: number[] = []
      const wall: number[] = []
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
        const started = performance.now()
        await page.goto(`${broker.urls.http}/?state=all&sort=${sort}&order=${order}`)
        await page.locator(`#session-rows[data-sort="${sort}"] tr >> nth=49`).waitFor()
        wall.push(performance.now() - started)
        inPage.push(Number(await page.locator('#sessions').getAttribute('data-first-rows-ms')))
        await page.close()
      }
      console.log(
        `  ${`${sort} ${order}`.padEnd(18)} ${ms(median(inPage)).padStart(6)} / ${ms(median(wall)).padStart(6)}`,
      )
    }
  } finally {
    await browser.close()
  }
  await broker.close()
  sqliteAlone(join(dataDir, 'sessionlab.db'))
  rmSync(dataDir, { recursive: true, force: true })
}

/**
 * The store's own sorted queries (`SortedSessionQueries`) on the file, with the broker closed: the
 * first page and a page half-way down (after the position of the 50,000th session, found untimed),
 * with the version-4 indexes and with them dropped.
 */
function sqliteAlone(file: string): void {
  const db = new Database(file)
  const keys: SessionSortKey[] = ['clientId', 'connectedAt', 'lastActivity', 'queued']
  const half = Math.floor(Number(db.prepare('SELECT count(*) FROM sessions').pluck().get()) / 2)
  const time = (queries: SortedSessionQueries, range: SortedSessionRange) => {
    const samples: number[] = []
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      queries.list(range)
      samples.push(performance.now() - started)
    }
    return median(samples)
  }
  const positions = new Map<SessionSortKey, { value: number; clientId: string }>()
  for (const by of keys) {
    const walked = new SortedSessionQueries(db).list({ by, order: 'desc', limit: half })
    const last = walked[walked.length - 1]
    positions.set(by, { value: last.value, clientId: last.record.clientId })
  }
  const measureAll = () => {
    const queries = new SortedSessionQueries(db)
    return keys.map((by) => ({
      by,
      first: time(queries, { by, order: 'desc', limit: 51 }),
      deep: time(queries, { by, order: 'desc', after: positions.get(by), limit: 51 }),
    }))
  }
  const withIndex = measureAll()
  db.exec('DROP INDEX sessions_by_connected_at; DROP INDEX sessions_by_last_activity;')
  const without = measureAll()
  console.log(
    `\nSQLite alone, SortedSessionQueries.list, descending, 51 rows (median ms of ${runs}):`,
  )
  console.log('  by             with indexes: first  half-way   without: first  half-way')
  withIndex.forEach((w, i) => {
    const o = without[i]
    console.log(
      `  ${w.by.padEnd(13)} ${ms(w.first).padStart(20)} ${ms(w.deep).padStart(9)} ${ms(o.first).padStart(16)} ${ms(o.deep).padStart(9)}`,
    )
  })
  db.close()
}

function ms(n: number): string {
  return n.toFixed(1)
}
