/**
 * The columns of a fleet report's strategy table, defined once for the
 * Markdown report (`clients/sim/report.ts`) and the dashboard's compare page
 * (`web/client/compare-page.ts`). Browser-safe: no Node imports.
 */
import type { Percentiles, SimReport, StrategySummary } from './summary.ts'

export interface ReportColumn {
  header: string
  /** The cell of one strategy; null when there is nothing to show (each page draws its own dash). */
  value(s: StrategySummary): string | number | null
  /** The value is a byte count, which a page may show in KiB. */
  bytes?: true
}

const joined = (p: Percentiles | null, keys: (keyof Percentiles)[]) =>
  p === null ? null : keys.map((k) => p[k]).join(' / ')

const COLUMNS: readonly ReportColumn[] = [
  { header: 'strategy', value: (s) => s.strategy },
  { header: 'sent', value: (s) => s.sent },
  { header: 'expected', value: (s) => s.expected },
  { header: 'delivered', value: (s) => s.delivered },
  { header: 'lost', value: (s) => s.lost },
  { header: 'predicted lost', value: (s) => s.predictedLost },
  { header: 'duplicated', value: (s) => s.duplicated },
  {
    header: 'latency ms p50 / p95 / p99 / max',
    value: (s) => joined(s.latencyMs, ['p50', 'p95', 'p99', 'max']),
  },
  { header: 'reconnects', value: (s) => s.reconnects },
  { header: 'reconnect ms p50 / max', value: (s) => joined(s.reconnectMs, ['p50', 'max']) },
]

const HELD_BYTES: ReportColumn = {
  header: 'peak bytes held',
  value: (s) => s.heldBytesPeak,
  bytes: true,
}

/** The table's columns; the bytes-held one only when the report measured it (`--api` answered). */
export function reportColumns(report: Pick<SimReport, 'heldBytes'>): readonly ReportColumn[] {
  const measured = report.heldBytes !== null && 'api' in report.heldBytes
  return measured ? [...COLUMNS, HELD_BYTES] : COLUMNS
}
