import { errorMessage } from '../broker/coded-error.ts'
import { figureOf, NOISE } from './aggregate.ts'
import type { BenchOptions } from './args.ts'
import { describeExit, keepsSessionsOnRestart, type RunningBroker, startBroker } from './brokers.ts'
import { firstLine } from './errors.ts'
import { runInGenerator, runSharded } from './jobs.ts'
import { METRICS } from './metrics.ts'
import { waitForQuiet } from './quiet.ts'
import { formatFigure } from './report.ts'
import type { BrokerName, Measurement, RunOutcome, RunRecord, WorkloadName } from './types.ts'
import { timeRestart } from './workloads/restart.ts'

/** How long a run waits for other work on the machine to finish before it starts anyway. */
const QUIET_WAIT_MS = 30_000

export type ProgressListener = (line: string) => void

/** One cell of the plan: which workload, against which broker, which repetition. */
interface RunKey {
  workload: WorkloadName
  broker: BrokerName
  run: number
}

/**
 * Runs every workload `runs` times against every broker, a fresh broker (fresh port, fresh data
 * dir) for each run. Brokers are interleaved within a round so that drift (thermal, other load)
 * spreads over all of them. A broker that fails to start is skipped from then on.
 */
export async function runBench(
  options: BenchOptions,
  onProgress: ProgressListener,
): Promise<RunRecord[]> {
  const records: RunRecord[] = []
  const cannotStart = new Map<BrokerName, string>()
  for (const workload of options.workloads) {
    for (let run = 1; run <= options.runs; run++) {
      for (const broker of options.brokers) {
        const key = { workload, broker, run }
        const startError = cannotStart.get(broker)
        const record =
          startError === undefined
            ? await runWhenQuiet(key, options, onProgress)
            : { ...key, outcome: failed('start', startError), warnings: [] }
        if (!record.outcome.ok && record.outcome.stage === 'start') {
          cannotStart.set(broker, record.outcome.error)
        }
        records.push(record)
      }
    }
  }
  return records
}

async function runWhenQuiet(
  key: RunKey,
  options: BenchOptions,
  onProgress: ProgressListener,
): Promise<RunRecord> {
  const tag = `[${key.workload} ${key.run}/${options.runs}] ${key.broker}`
  const quiet = await waitForQuiet(QUIET_WAIT_MS, (busy) => {
    onProgress(`${tag}: waiting for the machine to go quiet (${busy.toFixed(2)} cores busy)`)
  })
  const waited = quiet.waitedMs > 1_000 ? ` (after ${Math.round(quiet.waitedMs / 1000)} s)` : ''
  onProgress(`${tag}: starting${waited}`)
  const record = await runOnce(key, options)
  if (quiet.busyCores !== undefined && quiet.busyCores > NOISE) {
    record.warnings.push(`started on a busy machine (${quiet.busyCores.toFixed(2)} cores)`)
  }
  onProgress(`${tag}: ${summarize(record)}`)
  return record
}

/** Fresh broker, the workload's generator jobs against it, broker stopped whatever happened. */
async function runOnce(key: RunKey, options: BenchOptions): Promise<RunRecord> {
  if (key.workload === 'restart' && !keepsSessionsOnRestart(key.broker)) {
    const error = 'n/a: keeps sessions in memory only, so a restart loses them'
    return { ...key, outcome: { ok: false, stage: 'n/a', error }, warnings: [] }
  }
  if (key.workload === 'live-qos2' && key.broker === 'rabbitmq') {
    const error = 'n/a: RabbitMQ 3.10 has no QoS 2 (it grants and delivers QoS 1)'
    return { ...key, outcome: { ok: false, stage: 'n/a', error }, warnings: [] }
  }
  let broker: RunningBroker
  try {
    broker = await startBroker(key.broker)
  } catch (err) {
    return { ...key, outcome: failed('start', errorMessage(err)), warnings: [] }
  }
  let outcome: RunOutcome
  const warnings: string[] = []
  try {
    const measurements = await runWorkload(key.workload, broker, options, warnings)
    outcome = { ok: true, measurements }
  } catch (err) {
    outcome = failed('load', errorMessage(err))
  }
  const exit = await broker.stop()
  if (exit.code !== 0) warnings.push(`exited with ${describeExit(exit)} on SIGTERM`)
  return { ...key, outcome, warnings }
}

/** Hands the workload to one generator process, or to several (shards), or runs the restart. */
async function runWorkload(
  workload: WorkloadName,
  broker: RunningBroker,
  options: BenchOptions,
  warnings: string[],
): Promise<Measurement[]> {
  const common = {
    targets: broker.targets,
    brokerPids: broker.pids(),
    window: options.window,
    timeoutMs: options.timeoutMs,
  }
  const { generators } = options
  switch (workload) {
    case 'drain':
      return runInGenerator({ ...common, workload, count: options.drainCount, metrics: 'drain' })
    case 'drain-200k': {
      const count = options.drainLargeCount
      return runInGenerator({ ...common, workload: 'drain', count, metrics: 'drain200k' })
    }
    case 'live':
    case 'live-qos2': {
      const qos = workload === 'live' ? 1 : 2
      const window = qos === 1 ? options.window : options.qos2Window
      const live = { pairs: options.pairs, messagesPerPublisher: options.messages, window }
      return [await runSharded({ ...common, workload: 'live', qos, ...live }, generators)]
    }
    case 'fanout': {
      const fanout = { subscribers: options.fanoutSubscribers, messages: options.fanoutMessages }
      return [await runSharded({ ...common, workload, ...fanout }, generators)]
    }
    case 'sessions': {
      const sessions = { count: options.sessions, parallel: options.connections }
      return [await runSharded({ ...common, workload, ...sessions }, generators)]
    }
    case 'latency': {
      const latency = { count: options.latencyMessages, rate: options.latencyRate }
      return runInGenerator({ ...common, workload, ...latency })
    }
    case 'rss-sessions': {
      const rss = { sessions: options.rssSessions, queued: options.rssQueued }
      const http = broker.http === undefined ? {} : { http: broker.http }
      return runInGenerator({ ...common, workload, ...rss, parallel: options.connections, ...http })
    }
    case 'restart': {
      const setup = { sessions: options.restartSessions, queued: options.restartQueued }
      await runInGenerator({
        ...common,
        workload: 'restart-setup',
        ...setup,
        parallel: options.connections,
      })
      const timed = await timeRestart(broker, options.restartQueued, options.timeoutMs)
      warnings.push(...timed.warnings)
      return [timed.measurement]
    }
  }
}

function failed(stage: 'start' | 'load', error: string): RunOutcome {
  return { ok: false, stage, error }
}

/** One progress line per run: rate and CPU of each metric, or why it failed. */
function summarize(record: RunRecord): string {
  const warnings = record.warnings.map((w) => ` (${w})`).join('')
  if (!record.outcome.ok && record.outcome.stage === 'n/a') return record.outcome.error
  if (!record.outcome.ok) {
    return `FAILED to ${record.outcome.stage}: ${firstLine(record.outcome.error)}${warnings}`
  }
  const parts = record.outcome.measurements.map((m) => {
    const { unit } = METRICS[m.metric]
    const share = (cpuMs: number): string => `${Math.round((cpuMs / m.elapsedMs) * 100)}%`
    const broker = m.brokerCpuMs === undefined ? '' : `, broker ${share(m.brokerCpuMs)}`
    const peak =
      m.generatorPeakCpuMs === undefined
        ? ''
        : ` over ${m.generators} procs, busiest ${share(m.generatorPeakCpuMs)}`
    const figure = `${formatFigure(figureOf(m), unit)} ${unit}`
    return `${m.metric} ${figure} (CPU: generator ${share(m.generatorCpuMs)}${peak}${broker})`
  })
  return parts.join(', ') + warnings
}
