import type { BenchOptions } from './args.ts'
import { firstLine } from './errors.ts'
import { METRIC_ORDER, METRICS, type Unit } from './metrics.ts'
import { median } from './stats.ts'
import {
  BASELINE_BROKER,
  type BrokerName,
  DURABLE_PEER,
  type Measurement,
  type MetricName,
  type RunRecord,
} from './types.ts'

/** At or above this share of one core a generator process, not the broker, may be the limit. */
export const SATURATION = 0.9

/** Other work on the machine above this share of one core makes a run's figure suspect. */
export const NOISE = 0.25

/** /proc counts CPU in 10 ms ticks: below this interval a share is too coarse to print. */
export const PROC_MIN_INTERVAL_MS = 250

/** One broker's figures for one metric, over all its runs. */
export interface SummaryRow {
  metric: MetricName
  unit: Unit
  broker: BrokerName
  okRuns: number
  /** In `unit`; undefined when no run succeeded. */
  median?: number
  min?: number
  max?: number
  /** median / the baseline broker's median. */
  ratio?: number
  /** median / the durable peer's median. */
  peerRatio?: number
  /** Load generator CPU (all its processes) as a share of one core: median and worst run. */
  generatorCpu?: number
  generatorCpuMax?: number
  /** The busiest single generator process in the worst run, as a share of one core. */
  generatorPeakCpu?: number
  /** Broker CPU (all its processes) as a share of one core (median), where /proc told. */
  brokerCpu?: number
  /** CPU used by neither broker nor generator (other processes, kernel, hypervisor): median, worst. */
  otherCpu?: number
  otherCpuMax?: number
  /** Some run shared the machine with more than {@link NOISE} of a core of other work. */
  noisy: boolean
  /** Some generator process used at least {@link SATURATION} of a core in some run. */
  saturated: boolean
  /** The workload means nothing for this broker (restart of an in-memory broker). */
  notApplicable: boolean
  duplicates: number
  /** One line per distinct failure, with how many runs it hit. */
  failures: string[]
  warnings: string[]
}

export { median }

/** The figure a measurement stands for: its value, or messages per second. */
export const figureOf = (m: Measurement): number => m.value ?? (m.messages / m.elapsedMs) * 1000

/** The busiest generator process's share of one core: the one that would saturate first. */
export function generatorPeakShare(m: Measurement): number {
  return (m.generatorPeakCpuMs ?? m.generatorCpuMs) / m.elapsedMs
}

export function isSaturated(m: Measurement): boolean {
  return generatorPeakShare(m) >= SATURATION
}

/** Shares of one core, skipping intervals too short for /proc's 10 ms ticks. */
function shares(
  measurements: Measurement[],
  cpuMs: (m: Measurement) => number | undefined,
): number[] {
  return measurements.flatMap((m) => {
    const ms = cpuMs(m)
    return ms === undefined || m.elapsedMs < PROC_MIN_INTERVAL_MS ? [] : [ms / m.elapsedMs]
  })
}

function otherCpuMs(m: Measurement): number | undefined {
  if (m.machineCpuMs === undefined || m.brokerCpuMs === undefined) return undefined
  return Math.max(0, m.machineCpuMs - m.brokerCpuMs - m.generatorCpuMs)
}

/** Groups the runs by metric and broker: medians, spread, ratio to the baseline, saturation. */
export function aggregate(records: RunRecord[], options: BenchOptions): SummaryRow[] {
  const rows: SummaryRow[] = []
  for (const metric of METRIC_ORDER) {
    const { workload, someBrokersOnly } = METRICS[metric]
    if (!options.workloads.includes(workload)) continue
    const runs = records.filter((r) => r.workload === workload)
    const produced = runs.some(
      (r) => r.outcome.ok && r.outcome.measurements.some((m) => m.metric === metric),
    )
    if (someBrokersOnly && !produced) continue
    const metricRows = options.brokers.map((broker) =>
      summarizeBroker(
        metric,
        broker,
        runs.filter((r) => r.broker === broker),
      ),
    )
    const baseline = metricRows.find((row) => row.broker === BASELINE_BROKER)?.median
    const peer = metricRows.find((row) => row.broker === DURABLE_PEER)?.median
    for (const row of metricRows) {
      if (row.median !== undefined && baseline !== undefined) row.ratio = row.median / baseline
      if (row.median !== undefined && peer !== undefined) row.peerRatio = row.median / peer
      rows.push(row)
    }
  }
  return rows
}

function summarizeBroker(metric: MetricName, broker: BrokerName, runs: RunRecord[]): SummaryRow {
  const measurements: Measurement[] = []
  const failures = new Map<string, number>()
  let notApplicable = false
  for (const { outcome } of runs) {
    if (outcome.ok) measurements.push(...outcome.measurements.filter((m) => m.metric === metric))
    else if (outcome.stage === 'n/a') notApplicable = true
    else {
      const line = `${outcome.stage === 'start' ? 'failed to start' : 'failed'}: ${firstLine(outcome.error)}`
      failures.set(line, (failures.get(line) ?? 0) + 1)
    }
  }
  const row: SummaryRow = {
    metric,
    unit: METRICS[metric].unit,
    broker,
    okRuns: measurements.length,
    saturated: measurements.some(isSaturated),
    noisy: false,
    notApplicable,
    duplicates: measurements.reduce((sum, m) => sum + m.duplicates, 0),
    failures: [...failures].map(([line, n]) => (n > 1 ? `${line} (${n} runs)` : line)),
    warnings: [...new Set(runs.flatMap((r) => r.warnings))],
  }
  // Every run went well but none measured this (SessionLab's HTTP API, asked of Mosquitto).
  if (measurements.length === 0 && failures.size === 0 && runs.length > 0) row.notApplicable = true
  if (measurements.length > 0) {
    const figures = measurements.map(figureOf)
    const cpus = measurements.map((m) => m.generatorCpuMs / m.elapsedMs)
    row.median = median(figures)
    row.min = Math.min(...figures)
    row.max = Math.max(...figures)
    row.generatorCpu = median(cpus)
    row.generatorCpuMax = Math.max(...cpus)
    if (measurements.some((m) => (m.generators ?? 1) > 1)) {
      row.generatorPeakCpu = Math.max(...measurements.map(generatorPeakShare))
    }
    const brokerCpus = shares(measurements, (m) => m.brokerCpuMs)
    if (brokerCpus.length > 0) row.brokerCpu = median(brokerCpus)
    const otherCpus = shares(measurements, otherCpuMs)
    if (otherCpus.length > 0) {
      row.otherCpu = median(otherCpus)
      row.otherCpuMax = Math.max(...otherCpus)
      row.noisy = row.otherCpuMax > NOISE
    }
  }
  return row
}
