import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { track } from './children.ts'
import type { Job, JobReply, Measurement } from './types.ts'

const GENERATOR = fileURLToPath(new URL('./generator.ts', import.meta.url))
/** Beyond the job's own deadline: time to start tsx, connect, and report a timeout itself. */
const GRACE_MS = 15_000

/** Runs `job` in a fresh load-generator process; rejects with the generator's error if it fails. */
export function runInGenerator(job: Job): Promise<Measurement[]> {
  const child = track(
    fork(GENERATOR, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
  return new Promise<Measurement[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the load generator did not answer within ${job.timeoutMs + GRACE_MS} ms`))
    }, job.timeoutMs + GRACE_MS)
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
    child.send(job)
  })
}

/** The IPC channel is an edge: check the shape before trusting it. */
function isJobReply(value: unknown): value is JobReply {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false
  if (value.ok === true) return 'measurements' in value && Array.isArray(value.measurements)
  return value.ok === false && 'error' in value && typeof value.error === 'string'
}
