import { NOISE } from './aggregate.ts'
import type { BenchOptions } from './args.ts'
import { describeExit, type RunningBroker, startBroker } from './brokers.ts'
import { errorMessage, firstLine } from './errors.ts'
import { runInGenerator } from './jobs.ts'
import { waitForQuiet } from './quiet.ts'
import type { BrokerName, Job, RunOutcome, RunRecord, WorkloadName } from './types.ts'

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

/** Fresh broker, one generator job against it, broker stopped whatever happened. */
async function runOnce(key: RunKey, options: BenchOptions): Promise<RunRecord> {
  let broker: RunningBroker
  try {
    broker = await startBroker(key.broker)
  } catch (err) {
    return { ...key, outcome: failed('start', errorMessage(err)), warnings: [] }
  }
  let outcome: RunOutcome
  try {
    const measurements = await runInGenerator(jobFor(key.workload, broker, options))
    outcome = { ok: true, measurements }
  } catch (err) {
    outcome = failed('load', errorMessage(err))
  }
  const exit = await broker.stop()
  const warnings = exit.code === 0 ? [] : [`exited with ${describeExit(exit)} on SIGTERM`]
  return { ...key, outcome, warnings }
}

function jobFor(workload: WorkloadName, broker: RunningBroker, options: BenchOptions): Job {
  const { target, pid: brokerPid } = broker
  const common = { target, brokerPid, window: options.window, timeoutMs: options.timeoutMs }
  switch (workload) {
    case 'drain':
      return { ...common, workload, count: options.drainCount }
    case 'live':
      return { ...common, workload, pairs: options.pairs, messagesPerPublisher: options.messages }
  }
}

function failed(stage: 'start' | 'load', error: string): RunOutcome {
  return { ok: false, stage, error }
}

/** One progress line per run: rate and CPU of each metric, or why it failed. */
function summarize(record: RunRecord): string {
  const warnings = record.warnings.map((w) => ` (${w})`).join('')
  if (!record.outcome.ok) {
    return `FAILED to ${record.outcome.stage}: ${firstLine(record.outcome.error)}${warnings}`
  }
  const parts = record.outcome.measurements.map((m) => {
    const rate = Math.round((m.messages / m.elapsedMs) * 1000)
    const share = (cpuMs: number): string => `${Math.round((cpuMs / m.elapsedMs) * 100)}%`
    const broker = m.brokerCpuMs === undefined ? '' : `, broker ${share(m.brokerCpuMs)}`
    return `${m.metric} ${rate} msg/s (CPU: generator ${share(m.generatorCpuMs)}${broker})`
  })
  return parts.join(', ') + warnings
}
