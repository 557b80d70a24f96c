/**
 * `npm run bench`: the same loads against SessionLab (SQLite and memory stores), bare aedes and
 * Mosquitto, each a child process on a free port; prints medians and ratios to Mosquitto.
 * Progress goes to stderr, results to stdout (a table, or JSON with --json).
 */
import { aggregate } from './aggregate.ts'
import { BenchUsageError, parseBenchArgs, USAGE } from './args.ts'
import { runBench } from './bench.ts'
import { describeMachine } from './machine.ts'
import { formatHeader, formatTables } from './report.ts'

let options: ReturnType<typeof parseBenchArgs>
try {
  options = parseBenchArgs(process.argv.slice(2))
} catch (err) {
  if (!(err instanceof BenchUsageError) && !(err instanceof TypeError)) throw err
  console.error(`${err.message}\n\n${USAGE}`)
  process.exit(2)
}
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}

const machine = describeMachine()
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}
if (!options.json) console.log(`${formatHeader(machine, options)}\n`)
const records = await runBench(options, log)
const summary = aggregate(records, options)
if (options.json) {
  console.log(JSON.stringify({ machine, options, summary, records }, null, 2))
} else {
  console.log(formatTables(summary, options))
}
