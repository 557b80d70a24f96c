import { NOISE, SATURATION, type SummaryRow } from './aggregate.ts'
import type { BenchOptions } from './args.ts'
import type { MachineInfo } from './machine.ts'
import { BASELINE_BROKER, type MetricName } from './types.ts'

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

function title(metric: MetricName, options: BenchOptions): string {
  const n = number.format
  switch (metric) {
    case 'drain-resume':
      return `Resume drain: ${n(options.drainCount)} queued QoS 1 messages, CONNECT → all received`
    case 'live-qos1':
      return `Live QoS 1: ${options.pairs} publishers → ${options.pairs} persistent subscribers, ${n(options.messages)} messages each, window ${options.window}`
    case 'drain-enqueue':
      return `Offline enqueue (drain setup): ${n(options.drainCount)} QoS 1 publishes to an offline session, window ${options.window}`
  }
}

export function formatHeader(machine: MachineInfo, options: BenchOptions): string {
  return [
    `SessionLab bench, ${machine.date}`,
    `machine: ${machine.cores} cores (${machine.cpuModel}), node ${machine.node}, ${machine.mosquitto}`,
    `runs: ${options.runs} per broker and workload (medians below), 64-byte payloads`,
  ].join('\n')
}

const HEADER = [
  'broker',
  'msg/s',
  'min',
  'max',
  `vs ${BASELINE_BROKER}`,
  'broker CPU',
  'gen CPU',
  'other CPU',
  '',
]

/** One table per metric: msg/s median, spread, ratio to Mosquitto, load-generator CPU. */
export function formatTables(rows: SummaryRow[], options: BenchOptions): string {
  const out: string[] = []
  const metrics = [...new Set(rows.map((r) => r.metric))]
  for (const metric of metrics) {
    const table = [HEADER]
    const notes: string[] = []
    for (const row of rows.filter((r) => r.metric === metric)) {
      table.push(cells(row))
      for (const failure of row.failures) notes.push(`  ${row.broker}: ${failure}`)
      for (const warning of row.warnings) notes.push(`  ${row.broker}: ${warning}`)
      if (row.duplicates > 0) {
        notes.push(`  ${row.broker}: ${row.duplicates} duplicate deliveries (QoS 1 redelivery)`)
      }
    }
    out.push(`${title(metric, options)}\n${align(table)}`, ...notes, '')
  }
  if (rows.some((r) => r.noisy)) {
    out.push(
      `~ other processes used more than ${NOISE * 100}% of a core during at least one run:`,
      '  the machine was shared, so that figure is noisy; re-run on a quiet machine.',
    )
  }
  if (rows.some((r) => r.saturated)) {
    out.push(
      `! the load generator used more than ${SATURATION * 100}% of one core in at least one run:`,
      '  that figure is a floor set by the generator, not the broker’s limit.',
    )
  }
  return out.join('\n')
}

function cells(row: SummaryRow): string[] {
  if (row.median === undefined) return [row.broker, 'failed', '', '', '', '', '', '', '']
  return [
    row.broker,
    number.format(row.median),
    number.format(row.min ?? 0),
    number.format(row.max ?? 0),
    row.ratio === undefined ? '-' : `${row.ratio.toFixed(2)}x`,
    row.brokerCpu === undefined ? '-' : percent(row.brokerCpu),
    withMax(row.generatorCpu, row.generatorCpuMax),
    withMax(row.otherCpu, row.otherCpuMax),
    (row.saturated ? '!' : '') + (row.noisy ? '~' : ''),
  ]
}

const percent = (share: number): string => `${Math.round(share * 100)}%`

/** A CPU share, with the worst run's when it differs enough to matter. */
function withMax(share: number | undefined, max: number | undefined): string {
  if (share === undefined) return '-'
  if (max === undefined || max - share < 0.05) return percent(share)
  return `${percent(share)} (max ${percent(max)})`
}

/** First column left-aligned, the others right-aligned, two spaces apart. */
function align(table: string[][]): string {
  const widths = (table[0] ?? []).map((_, col) =>
    Math.max(...table.map((line) => (line[col] ?? '').length)),
  )
  return table
    .map((line) =>
      line
        .map((cell, col) =>
          col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n')
}
