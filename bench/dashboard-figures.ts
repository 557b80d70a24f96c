/**
 * The pure parts of `bench/dashboard.ts`: its arguments, and each figure's median and spread over
 * the runs as a Markdown table (the form `bench/RESULTS.md` keeps).
 */
import { parseArgs } from 'node:util'
import { BenchUsageError } from './args.ts'
import { median } from './stats.ts'

export interface DashboardBenchOptions {
  /** Offline sessions in the store, one broker per count. */
  sessions: number[]
  /** Page loads (and API first pages) per count. */
  runs: number
  /** Live samples drawn per overview load, to average one update's cost over. */
  updates: number
}

export const DASHBOARD_USAGE = `Usage: npm run bench:dashboard -- [options]

  --sessions N,N   offline sessions in the SQLite store, one broker each (default 10000,100000)
  --runs N         page loads per count, each in a new browser context (default 5)
  --updates N      live samples drawn per overview load (default 50)`

export function parseDashboardBenchArgs(argv: string[]): DashboardBenchOptions {
  let values: { sessions: string; runs: string; updates: string }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        sessions: { type: 'string', default: '10000,100000' },
        runs: { type: 'string', default: '5' },
        updates: { type: 'string', default: '50' },
      },
    }))
  } catch (err) {
    throw new BenchUsageError((err as Error).message)
  }
  const sessions = values.sessions.split(',').map((n) => positive('--sessions', n))
  return {
    sessions,
    runs: positive('--runs', values.runs),
    updates: positive('--updates', values.updates),
  }
}

function positive(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) {
    throw new BenchUsageError(`${flag} takes whole numbers of 1 or more, not "${text}"`)
  }
  return n
}

/** One figure over its runs. */
export interface Spread {
  runs: number
  median: number
  min: number
  max: number
}

export function spreadOf(samples: number[]): Spread {
  if (samples.length === 0 || samples.some((n) => !Number.isFinite(n))) {
    // a page attribute that was never set reads as NaN: a broken measurement, not a figure
    throw new Error(`not a set of measurements: [${samples.join(', ')}]`)
  }
  return {
    runs: samples.length,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
  }
}

export interface FigureRow {
  figure: string
  sessions: number
  spread: Spread
}

/** The rows as a Markdown table, in ms: median, min–max and runs. */
export function figuresTable(rows: FigureRow[]): string[] {
  const lines = [
    '| figure | sessions | median ms | min–max ms | runs |',
    '| --- | --- | --- | --- | --- |',
  ]
  for (const { figure, sessions, spread } of rows) {
    lines.push(
      `| ${figure} | ${sessions.toLocaleString('en')} | ${ms(spread.median)} | ${ms(spread.min)}–${ms(spread.max)} | ${spread.runs} |`,
    )
  }
  return lines
}

/** Two significant decimals below 10 ms, one below 100, whole ms above. */
export function ms(n: number): string {
  const digits = n < 10 ? 2 : n < 100 ? 1 : 0
  return n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
