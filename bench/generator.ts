/**
 * The load-generator process: receives one {@link Job} over IPC, runs it against the broker, sends
 * back a {@link JobReply} and exits. Kept apart from the driver so that its CPU use is its own.
 */
import { errorMessage } from './errors.ts'
import type { Job, JobReply, Measurement } from './types.ts'
import { runDrain } from './workloads/drain.ts'
import { runLive } from './workloads/live.ts'

function runJob(job: Job): Promise<Measurement[]> {
  switch (job.workload) {
    case 'drain':
      return runDrain(job.target, job)
    case 'live':
      return runLive(job.target, job)
  }
}

function reply(message: JobReply): Promise<void> {
  return new Promise((resolve) => {
    process.send?.(message, undefined, undefined, () => resolve())
  })
}

// The driver is gone: nothing to report to, and nothing may outlive it.
process.once('disconnect', () => process.exit(1))

process.once('message', async (job: Job) => {
  try {
    await reply({ ok: true, measurements: await runJob(job) })
  } catch (err) {
    await reply({ ok: false, error: errorMessage(err) })
  }
  process.exit(0)
})
