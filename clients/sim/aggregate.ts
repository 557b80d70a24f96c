import type { StrategyRun } from './run.ts'
import { predictedLost, type Schedule } from './schedule.ts'
import type { Percentiles, StrategySummary } from './summary.ts'

/** Nearest-rank percentile of an ascending list; `p` in 0–100. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) as number),
  }
}

/** Adds one strategy's device figures up. Pure. */
export function summarize(run: StrategyRun, schedule: Schedule, qos: 0 | 1 | 2): StrategySummary {
  const sum = (pick: (d: StrategyRun['devices'][number]) => number) =>
    run.devices.reduce((n, d) => n + pick(d), 0)
  const delivered = sum((d) => d.delivered)
  const expected = run.published * run.devices.length
  const reconnects = run.devices.flatMap((d) => d.reconnectsMs)
  return {
    strategy: run.strategy,
    devices: run.devices.length,
    sent: run.published,
    expected,
    delivered,
    lost: expected - delivered,
    duplicated: sum((d) => d.duplicated),
    predictedLost: predictedLost(schedule, run.strategy, qos),
    latencyMs: percentiles(run.devices.flatMap((d) => d.latenciesMs)),
    reconnects: reconnects.length,
    reconnectMs: percentiles(reconnects),
    sessionsLost: sum((d) => d.sessionsLost),
    heldBytesPeak: run.heldBytesPeak,
    durationMs: run.durationMs,
  }
}
