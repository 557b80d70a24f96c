import type { BenchOptions } from './args.ts'
import { firstLine } from './errors.ts'
import {
  BASELINE_BROKER,
  type BrokerName,
  type Measurement,
  type MetricName,
  type RunRecord,
} from './types.ts'

/** Above this share of one core the generator, not the broker, may be what limits the rate. */
export const SATURATION = 0.9

/** Other work on the machine above this share of one core makes a run's figure suspect. */
export const NOISE = 0.25

/** /proc counts CPU in 10 ms ticks: below this interval a share is too coarse to print. */
export const PROC_MIN_INTERVAL_MS = 250

/** One broker's figures for one metric, over all its runs. */
export interface SummaryRow {
  metric: MetricName
  broker: BrokerName
  okRuns: number
  /** msg/s; undefined when no run succeeded. */
  median?: number
  min?: number
  max?: number
  /** median / the baseline broker's median. */
  ratio?: number
  /** Load generator CPU as a share of one core: median and worst run. */
  generatorCpu?: number
  generatorCpuMax?: number
  /** Broker CPU as a share of one core (median), where /proc told. */
  brokerCpu?: number
  /** CPU used by neither broker nor generator (other processes, kernel, hypervisor): median, worst. */
  otherCpu?: number
  otherCpuMax?: number
  /** Some run shared the machine with more than {@link NOISE} of a core of other work. */
  noisy: boolean
  saturated: boolean
  duplicates: number
  /** One line per distinct failure, with how many runs it hit. */
  failures: string[]
  warnings: string[]
}

export const METRIC_ORDER: MetricName[] = ['drain-resume', 'live-qos1', 'drain-enqueue']

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const upper = sorted[mid] ?? Number.NaN
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2
}

const rateOf = (m: Measurement): number => (m.messages / m.elapsedMs) * 1000
const cpuOf = (m: Measurement): number => m.generatorCpuMs / m.elapsedMs

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
    const workload = metric === 'live-qos1' ? 'live' : 'drain'
    if (!options.workloads.includes(workload)) continue
    const metricRows = options.brokers.map((broker) =>
      summarizeBroker(
        metric,
        broker,
        records.filter((r) => r.workload === workload && r.broker === broker),
      ),
    )
    const baseline = metricRows.find((row) => row.broker === BASELINE_BROKER)?.median
    for (const row of metricRows) {
      if (row.median !== undefined && baseline !== undefined) row.ratio = row.median / baseline
      rows.push(row)
    }
  }
  return rows
}

function summarizeBroker(metric: MetricName, broker: BrokerName, runs: RunRecord[]): SummaryRow {
  const measurements: Measurement[] = []
  const failures = new Map<string, number>()
  for (const { outcome } of runs) {
    if (outcome.ok) measurements.push(...outcome.measurements.filter((m) => m.metric === metric))
    else {
      const line = `${outcome.stage === 'start' ? 'failed to start' : 'failed'}: ${firstLine(outcome.error)}`
      failures.set(line, (failures.get(line) ?? 0) + 1)
    }
  }
  const row: SummaryRow = {
    metric,
    broker,
    okRuns: measurements.length,
    saturated: measurements.some((m) => cpuOf(m) > SATURATION),
    noisy: false,
    duplicates: measurements.reduce((sum, m) => sum + m.duplicates, 0),
    failures: [...failures].map(([line, n]) => (n > 1 ? `${line} (${n} runs)` : line)),
    warnings: [...new Set(runs.flatMap((r) => r.warnings))],
  }
  if (measurements.length > 0) {
    const rates = measurements.map(rateOf)
    const cpus = measurements.map(cpuOf)
    row.median = median(rates)
    row.min = Math.min(...rates)
    row.max = Math.max(...rates)
    row.generatorCpu = median(cpus)
    row.generatorCpuMax = Math.max(...cpus)
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
