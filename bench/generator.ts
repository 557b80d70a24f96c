/**
 * A load-generator process. Either it receives one {@link Job}, runs it against the broker, sends
 * back a {@link JobReply} and exits; or it is one shard of a {@link ShardJob} and follows the
 * protocol of `shards.ts`. Kept apart from the driver so that its CPU use is its own.
 */
import { errorMessage } from '../broker/coded-error.ts'
import type { FromShard, ToShard } from './shards.ts'
import {
  type Job,
  type JobReply,
  type Measurement,
  SETUP_TIMEOUT_FACTOR,
  type ShardJob,
} from './types.ts'
import { runDrain } from './workloads/drain.ts'
import { setUpFanout } from './workloads/fanout.ts'
import { runLatency } from './workloads/latency.ts'
import { setUpLive } from './workloads/live.ts'
import { setUpRestart } from './workloads/restart.ts'
import { runRssSessions } from './workloads/rss-sessions.ts'
import { setUpSessions } from './workloads/sessions.ts'
import type { ShardLink, ShardRun } from './workloads/shard.ts'

async function runJob(job: Job): Promise<Measurement[]> {
  const setupTimeoutMs = job.timeoutMs * SETUP_TIMEOUT_FACTOR
  switch (job.workload) {
    case 'drain':
      return runDrain(job.targets, job)
    case 'latency':
      return runLatency(job.targets, job)
    case 'rss-sessions':
      return runRssSessions(job.targets, { ...job, setupTimeoutMs })
    case 'restart-setup':
      await setUpRestart(job.targets, { ...job, setupTimeoutMs })
      return []
  }
}

function setUpShard(
  job: ShardJob,
  shard: number,
  shards: number,
  link: ShardLink,
): Promise<ShardRun> {
  switch (job.workload) {
    case 'live':
      return setUpLive(job.targets, job, shard, shards)
    case 'fanout':
      return setUpFanout(job.targets, job, shard, shards, link)
    case 'sessions':
      return Promise.resolve(setUpSessions(job.targets, job, shard, shards))
  }
}

function send(message: JobReply | FromShard): Promise<void> {
  return new Promise((resolve) => {
    process.send?.(message, undefined, undefined, () => resolve())
  })
}

/** One shard: set up, say ready, run on `go`, report, close on `close`. */
function serveShard(first: Extract<ToShard, { type: 'setup' }>): void {
  const progressListeners: Array<(slowest: number) => void> = []
  const link: ShardLink = {
    reportProgress: (slowest) => void send({ type: 'progress', slowest }),
    onProgress: (listener) => progressListeners.push(listener),
  }
  const running = setUpShard(first.job, first.shard, first.shards, link)
  running.then(
    () => send({ type: 'ready' }),
    (err) => send({ type: 'error', error: errorMessage(err) }).then(() => process.exit(0)),
  )
  process.on('message', async (message: ToShard) => {
    if (message.type === 'progress') {
      for (const listener of progressListeners) listener(message.slowest)
    } else if (message.type === 'go') {
      const cpuStart = process.cpuUsage()
      try {
        const result = await (await running).go()
        const cpu = process.cpuUsage(cpuStart)
        await send({ type: 'done', result, cpuMs: (cpu.user + cpu.system) / 1000 })
      } catch (err) {
        await send({ type: 'error', error: errorMessage(err) })
        process.exit(0)
      }
    } else if (message.type === 'close') {
      await (await running).close().catch(() => {})
      await send({ type: 'closed' })
      process.exit(0)
    }
  })
}

// The driver is gone: nothing to report to, and nothing may outlive it.
process.once('disconnect', () => process.exit(1))

process.once('message', async (message: { type: 'job'; job: Job } | ToShard) => {
  if (message.type === 'setup') {
    serveShard(message)
    return
  }
  if (message.type !== 'job') return
  try {
    await send({ ok: true, measurements: await runJob(message.job) })
  } catch (err) {
    await send({ ok: false, error: errorMessage(err) })
  }
  process.exit(0)
})
