import { NOISE, SATURATION, type SummaryRow } from './aggregate.ts'
import type { BenchOptions } from './args.ts'
import type { MachineInfo } from './machine.ts'
import { METRICS, type Unit } from './metrics.ts'
import { BASELINE_BROKER, DURABLE_PEER } from './types.ts'

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatHeader(machine: MachineInfo, options: BenchOptions): string {
  return [
    `SessionLab bench, ${machine.date}`,
    `machine: ${machine.cores} cores (${machine.cpuModel}), node ${machine.node}, ${machine.mosquitto}`,
    `runs: ${options.runs} per broker and workload (medians below), 64-byte payloads`,
  ].join('\n')
}

function header(unit: Unit): string[] {
  return [
    'broker',
    unit,
    'min',
    'max',
    `vs ${BASELINE_BROKER}`,
    `vs ${DURABLE_PEER}`,
    'broker CPU',
    'gen CPU',
    'other CPU',
    '',
  ]
}

/** One table per metric: median, spread, ratios to Mosquitto and to RabbitMQ, CPU of broker, generator, others. */
export function formatTables(rows: SummaryRow[], options: BenchOptions): string {
  const out: string[] = []
  const metrics = [...new Set(rows.map((r) => r.metric))]
  for (const metric of metrics) {
    const { unit, title } = METRICS[metric]
    const table = [header(unit)]
    const notes: string[] = []
    for (const row of rows.filter((r) => r.metric === metric)) {
      table.push(cells(row))
      for (const failure of row.failures) notes.push(`  ${row.broker}: ${failure}`)
      for (const warning of row.warnings) notes.push(`  ${row.broker}: ${warning}`)
      if (row.duplicates > 0) {
        notes.push(`  ${row.broker}: ${row.duplicates} duplicate deliveries (QoS 1/2 redelivery)`)
      }
    }
    out.push(`${title(options)}\n${align(table)}`, ...notes, '')
  }
  if (rows.some((r) => r.notApplicable)) {
    out.push(
      'n/a: not meaningful for this broker (a restart of a broker that keeps sessions in memory',
      '  only), not measured by it (the HTTP API of SessionLab) or not supported (QoS 2 on RabbitMQ).',
    )
  }
  if (rows.some((r) => r.noisy)) {
    out.push(
      `~ other processes used more than ${NOISE * 100}% of a core during at least one run:`,
      '  the machine was shared, so that figure is noisy; re-run on a quiet machine.',
    )
  }
  if (rows.some((r) => r.saturated)) {
    out.push(
      `! a load-generator process used ${SATURATION * 100}% of a core or more in at least one run:`,
      '  that figure may be set by the generator, not the broker (a floor for rates, a ceiling for times).',
    )
  }
  return out.join('\n')
}

function cells(row: SummaryRow): string[] {
  if (row.notApplicable && row.median === undefined) {
    return [row.broker, 'n/a', '', '', '', '', '', '', '', '']
  }
  if (row.median === undefined) return [row.broker, 'failed', '', '', '', '', '', '', '', '']
  const figure = (value: number | undefined): string => formatFigure(value ?? 0, row.unit)
  return [
    row.broker,
    figure(row.median),
    figure(row.min),
    figure(row.max),
    row.ratio === undefined ? '-' : `${row.ratio.toFixed(2)}x`,
    row.peerRatio === undefined ? '-' : `${row.peerRatio.toFixed(2)}x`,
    row.brokerCpu === undefined ? '-' : percent(row.brokerCpu),
    generatorCell(row),
    withMax(row.otherCpu, row.otherCpuMax),
    (row.saturated ? '!' : '') + (row.noisy ? '~' : ''),
  ]
}

/** Rates as integers; times and sizes with the precision they deserve. */
export function formatFigure(value: number, unit: Unit): string {
  if (unit === 'msg/s' || unit === 'sessions/s') return integer.format(value)
  if (value >= 100) return integer.format(value)
  return value.toFixed(value >= 10 ? 1 : 2)
}

const percent = (share: number): string => `${Math.round(share * 100)}%`

/** A CPU share, with the worst run's when it differs enough to matter. */
function withMax(share: number | undefined, max: number | undefined): string {
  if (share === undefined) return '-'
  if (max === undefined || max - share < 0.05) return percent(share)
  return `${percent(share)} (max ${percent(max)})`
}

/** Generator CPU summed over its processes; with several, the busiest process's worst share. */
function generatorCell(row: SummaryRow): string {
  const total = withMax(row.generatorCpu, row.generatorCpuMax)
  return row.generatorPeakCpu === undefined
    ? total
    : `${total} [1 proc ≤ ${percent(row.generatorPeakCpu)}]`
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
