import { describe, expect, it } from 'vitest'
import { BenchUsageError } from './args.ts'
import { figuresTable, ms, parseDashboardBenchArgs, spreadOf } from './dashboard-figures.ts'

describe('parseDashboardBenchArgs', () => {
  it('defaults to 10,000 and 100,000 sessions, five runs, 50 live updates', () => {
    expect(parseDashboardBenchArgs([])).toEqual({
      sessions: [10_000, 100_000],
      runs: 5,
      updates: 50,
    })
  })

  it('takes a list of counts and the runs', () => {
    expect(parseDashboardBenchArgs(['--sessions', '500', '--runs', '2', '--updates', '3'])).toEqual(
      {
        sessions: [500],
        runs: 2,
        updates: 3,
      },
    )
  })

  it('refuses a count that is not a whole positive number, naming the flag', () => {
    expect(() => parseDashboardBenchArgs(['--sessions', '10000,1e3.5'])).toThrow(/--sessions/)
    expect(() => parseDashboardBenchArgs(['--runs', '0'])).toThrow(BenchUsageError)
    expect(() => parseDashboardBenchArgs(['--updates', 'many'])).toThrow(/--updates/)
    expect(() => parseDashboardBenchArgs(['--sesions', '5'])).toThrow(BenchUsageError)
  })
})

describe('spreadOf', () => {
  it('gives the median, the smallest and the largest run', () => {
    expect(spreadOf([900, 700, 1200, 800])).toEqual({ runs: 4, median: 850, min: 700, max: 1200 })
  })

  it('refuses no runs, and a run whose figure was never set (NaN)', () => {
    expect(() => spreadOf([])).toThrow(/not a set of measurements/)
    expect(() => spreadOf([700, Number.NaN])).toThrow(/not a set of measurements/)
  })
})

describe('figuresTable', () => {
  it('prints one Markdown row per figure, in ms with the spread', () => {
    const lines = figuresTable([
      { figure: 'overview drawn', sessions: 10_000, spread: spreadOf([1234.4, 1500, 990]) },
      { figure: 'one live update', sessions: 100_000, spread: spreadOf([4.321, 5]) },
    ])
    expect(lines).toEqual([
      '| figure | sessions | median ms | min–max ms | runs |',
      '| --- | --- | --- | --- | --- |',
      '| overview drawn | 10,000 | 1,234 | 990–1,500 | 3 |',
      '| one live update | 100,000 | 4.66 | 4.32–5.00 | 2 |',
    ])
  })
})

describe('ms', () => {
  it('keeps two decimals below 10 ms, one below 100, none above', () => {
    expect([ms(7.6543), ms(42.25), ms(1234.5)]).toEqual(['7.65', '42.3', '1,235'])
  })
})
