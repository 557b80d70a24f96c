/**
 * `node --import tsx bench/store-floor.ts [--messages 100000] [--runs 3] [--sequences a,b]`:
 * what the durable SQLite store alone costs per message, with no broker, no network and no aedes
 * around it. The `drain` and `live` workloads of `npm run bench` spend at least this on the
 * broker's one thread, so it bounds what any broker built on this store can reach there.
 *
 * Two sequences, each over `--messages` messages for one client among 100,000 rows of other
 * clients, with the transactions the broker uses:
 *
 * - `drain`: the queue read a page of 256 at a time; each page's packet ids committed together
 *   with the previous page's acknowledgements (as a resume numbers a page per commit and the
 *   acknowledgements are write-behind).
 * - `live`: per window of 100 (a publisher's window), the messages queued in one commit (with the
 *   previous window's acknowledgements), then given their packet ids in another.
 *
 * Each at four depths (bench/store-floor/):
 *
 * - `store-…`: SessionLab's store through its API (`outgoingStream`, `outgoingEnqueueCombi`,
 *   `outgoingUpdate`, `outgoingAcknowledge`, `flush`): a promise per write, committed per batch.
 * - `queues-…`: the store's table code (`OutgoingQueues`) and schema straight through
 *   better-sqlite3, one `db.transaction` per commit: its SQL without the write batch.
 * - `worker-…`: `queues-…` on a worker thread, a message per commit: what the main thread would
 *   still spend with the store off the event loop (the `main thread` column).
 * - `rows-…`: the same row operations on the least a row-per-message layout needs: one table
 *   clustered on (client_id, id), no other index, every row addressed by its key, straight through
 *   better-sqlite3: the least B-tree work a queue with a row per message does.
 */
import { parseArgs } from 'node:util'
import { errorMessage } from '../broker/coded-error.ts'
import { describeMachine } from './machine.ts'
import { median } from './stats.ts'
import { DEPTHS, runOnce, SEQUENCES, type SequenceName } from './store-floor/run.ts'
import type { Timing } from './store-floor/sequences.ts'

const SEQUENCE_NAMES = Object.keys(DEPTHS).flatMap((depth) =>
  Object.keys(SEQUENCES).map((sequence) => `${depth}-${sequence}`),
)
const USAGE = `store-floor.ts [--messages N] [--runs N] [--sequences ${SEQUENCE_NAMES.join(',')}]`

function usage(message: string): never {
  console.error(`${message}\nusage: ${USAGE}`)
  process.exit(2)
}

let values: { messages: string; runs: string; sequences: string }
try {
  values = parseArgs({
    options: {
      messages: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '3' },
      sequences: { type: 'string', default: SEQUENCE_NAMES.join(',') },
    },
  }).values
} catch (err) {
  usage(errorMessage(err))
}
const MESSAGES = Number(values.messages)
const RUNS = Number(values.runs)
const CHOSEN = values.sequences.split(',')
for (const [name, value] of [
  ['--messages', MESSAGES],
  ['--runs', RUNS],
] as const) {
  if (!Number.isInteger(value) || value < 1) usage(`${name} must be a positive integer`)
}
for (const name of CHOSEN) {
  if (!SEQUENCE_NAMES.includes(name)) usage(`--sequences: unknown sequence ${name}`)
}

const machine = describeMachine()
console.log(
  `Store floor: ${MESSAGES.toLocaleString('en-US')} messages, ${RUNS} runs, medians per message` +
    ` (${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node})`,
)
console.log('  sequence       µs/msg  main thread  msg/s alone   runs (µs/msg)')
for (const name of SEQUENCE_NAMES.filter((known) => CHOSEN.includes(known))) {
  const runs: Timing[] = []
  const [depth, sequence] = name.split('-') as [string, SequenceName]
  for (let r = 0; r < RUNS; r++) runs.push(await runOnce(depth, sequence, MESSAGES))
  const wall = median(runs.map((run) => run.wall))
  const main = median(runs.map((run) => run.main))
  const rate = Math.round(1e6 / wall).toLocaleString('en-US')
  const list = runs.map((run) => run.wall.toFixed(2)).join(' ')
  console.log(
    `  ${name.padEnd(13)} ${wall.toFixed(2).padStart(7)}  ${main.toFixed(2).padStart(11)}  ${rate.padStart(11)}   ${list}`,
  )
}
