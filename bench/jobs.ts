import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { track } from './children.ts'
import { isFromShard, type ShardResult, shardsFor, type ToShard } from './shards.ts'
import {
  type Job,
  type JobReply,
  type Measurement,
  type MetricName,
  SETUP_TIMEOUT_FACTOR,
  type ShardJob,
} from './types.ts'
import { startInterval } from './workloads/measure.ts'

const GENERATOR = fileURLToPath(new URL('./generator.ts', import.meta.url))
/** Beyond the job's own deadline: time to start tsx, connect, and report a timeout itself. */
const GRACE_MS = 15_000

function forkGenerator(): ChildProcess {
  return track(
    fork(GENERATOR, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
}

/** Runs `job` in a fresh load-generator process; rejects with the generator's error if it fails. */
export function runInGenerator(job: Job): Promise<Measurement[]> {
  const child = forkGenerator()
  // A job has up to three phases under its own deadlines (drain: enqueue and resume; latency: the
  // deadline plus the schedule; rss-sessions: create, queue, settle), setups ten times longer.
  const phase = job.workload === 'drain' || job.workload === 'latency' ? 1 : SETUP_TIMEOUT_FACTOR
  const budget = job.timeoutMs * phase * 3
  return new Promise<Measurement[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the load generator did not answer within ${budget + GRACE_MS} ms`))
    }, budget + GRACE_MS)
    child.once('message', (message: unknown) => {
      clearTimeout(timer)
      if (!isJobReply(message)) reject(new Error('the load generator sent an unreadable reply'))
      else if (message.ok) resolve(message.measurements)
      else reject(new Error(message.error))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the load generator exited (${signal ?? code}) without a reply`))
    })
    child.send({ type: 'job', job })
  })
}

/** The IPC channel is an edge: check the shape before trusting it. */
function isJobReply(value: unknown): value is JobReply {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false
  if (value.ok === true) return 'measurements' in value && Array.isArray(value.measurements)
  return value.ok === false && 'error' in value && typeof value.error === 'string'
}

export function metricOf(job: ShardJob): MetricName {
  switch (job.workload) {
    case 'live':
      return job.qos === 1 ? 'live-qos1' : 'live-qos2'
    case 'fanout':
      return 'fanout-qos0'
    case 'sessions':
      return 'session-create'
  }
}

/**
 * Runs `job` split over up to `generators` load-generator processes (see `shards.ts`). The
 * interval runs from `go` (sent to every shard at once, once all are connected) to the last
 * `done`; generator CPU is each shard's own over that time, summed, with the busiest one kept.
 */
export async function runSharded(job: ShardJob, generators: number): Promise<Measurement> {
  const shards = shardsFor(job, generators)
  const children = Array.from({ length: shards }, forkGenerator)
  const sendTo = (child: ChildProcess, message: ToShard): void => {
    if (child.connected) child.send(message)
  }
  let onReady: () => void = () => {}
  let onDone: () => void = () => {}
  let fail: (err: Error) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    fail = reject
  })
  failed.catch(() => {})
  let ready = 0
  const results: Array<{ result: ShardResult; cpuMs: number }> = []
  const progress = new Array<number>(shards).fill(0)
  children.forEach((child, shard) => {
    child.on('message', (message: unknown) => {
      if (!isFromShard(message)) fail(new Error('a load generator sent an unreadable message'))
      else if (message.type === 'ready' && ++ready === shards) onReady()
      else if (message.type === 'error') fail(new Error(message.error))
      else if (message.type === 'done') {
        results.push({ result: message.result, cpuMs: message.cpuMs })
        if (results.length === shards) onDone()
      } else if (message.type === 'progress') {
        progress[shard] = message.slowest
        const slowest = Math.min(...progress)
        for (const other of children) sendTo(other, { type: 'progress', slowest })
      }
    })
    child.once('exit', (code, signal) => {
      fail(new Error(`a load generator exited (${signal ?? code}) before it was done`))
    })
    sendTo(child, { type: 'setup', job, shard, shards })
  })
  const deadline = (ms: number, what: string): Promise<never> =>
    new Promise((_, reject) => {
      setTimeout(
        () => reject(new Error(`the load generators did not ${what} within ${ms} ms`)),
        ms,
      ).unref()
    })
  try {
    await Promise.race([
      new Promise<void>((resolve) => {
        onReady = resolve
      }),
      failed,
      deadline(job.timeoutMs + GRACE_MS, 'connect'),
    ])
    const allDone = new Promise<void>((resolve) => {
      onDone = resolve
    })
    const timer = startInterval(job.brokerPids)
    for (const child of children) sendTo(child, { type: 'go' })
    await Promise.race([allDone, failed, deadline(job.timeoutMs + GRACE_MS, 'finish')])
    const messages = results.reduce((sum, r) => sum + r.result.messages, 0)
    const duplicates = results.reduce((sum, r) => sum + r.result.duplicates, 0)
    const measurement = timer.stop(metricOf(job), messages, duplicates)
    // The interval's own process is the driver: swap its CPU for the shards'.
    measurement.generatorCpuMs = results.reduce((sum, r) => sum + r.cpuMs, 0)
    measurement.generatorPeakCpuMs = Math.max(...results.map((r) => r.cpuMs))
    measurement.generators = shards
    await closeAll(children)
    return measurement
  } finally {
    for (const child of children) child.kill('SIGKILL')
  }
}

/** Asks every shard to end its connections (DISCONNECT) and waits, briefly, for it to exit. */
async function closeAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || !child.connected) return resolve()
          const timer = setTimeout(resolve, 5_000)
          child.removeAllListeners('exit')
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          child.send({ type: 'close' } satisfies ToShard)
        }),
    ),
  )
}
