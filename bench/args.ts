import { parseArgs } from 'node:util'
import { BROKER_NAMES, type BrokerName, WORKLOAD_NAMES, type WorkloadName } from './types.ts'

/** Everything one `npm run bench` does, decided before anything starts. */
export interface BenchOptions {
  runs: number
  drainCount: number
  /** QoS 1 messages each live publisher sends. */
  messages: number
  /** Publisher → subscriber pairs in the live workload. */
  pairs: number
  window: number
  timeoutMs: number
  brokers: BrokerName[]
  workloads: WorkloadName[]
  json: boolean
  help: boolean
}

/** A command line the harness cannot run; `run.ts` prints the message and the usage. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE'
  override readonly name = 'BenchUsageError'
}

export const USAGE = `Usage: npm run bench -- [options]

  --runs N            repetitions of each workload per broker (default 3; --quick: 1)
  --drain-count N     messages queued for the resume drain (default 20000; --quick: 2000)
  --messages N        QoS 1 messages per live publisher (default 20000; --quick: 2000)
  --pairs N           publisher/subscriber pairs in the live workload (default 4)
  --window N          in-flight QoS 1 publishes per publisher (default 100)
  --timeout S         seconds one workload run may take (default 120)
  --brokers a,b       subset of ${BROKER_NAMES.join(',')}
  --workloads a,b     subset of ${WORKLOAD_NAMES.join(',')}
  --quick             small counts and one run: a smoke test
  --json              print the raw runs and the summary as JSON on stdout
  -h, --help          this text`

const DEFAULTS = { runs: 3, drainCount: 20_000, messages: 20_000 }
const QUICK = { runs: 1, drainCount: 2_000, messages: 2_000 }

/** Parses `process.argv.slice(2)`; pure, so it is tested without starting anything. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      runs: { type: 'string' },
      'drain-count': { type: 'string' },
      messages: { type: 'string' },
      pairs: { type: 'string' },
      window: { type: 'string' },
      timeout: { type: 'string' },
      brokers: { type: 'string' },
      workloads: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const base = values.quick ? QUICK : DEFAULTS
  const window = positiveInt('--window', values.window, 100)
  if (window > 65_535) throw new BenchUsageError('--window must be at most 65535 (packet ids)')
  return {
    runs: positiveInt('--runs', values.runs, base.runs),
    drainCount: positiveInt('--drain-count', values['drain-count'], base.drainCount),
    messages: positiveInt('--messages', values.messages, base.messages),
    pairs: positiveInt('--pairs', values.pairs, 4),
    window,
    timeoutMs: positiveInt('--timeout', values.timeout, 120) * 1000,
    brokers: listOf('--brokers', values.brokers, BROKER_NAMES),
    workloads: listOf('--workloads', values.workloads, WORKLOAD_NAMES),
    json: values.json,
    help: values.help,
  }
}

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw.replaceAll('_', ''))
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BenchUsageError(`${flag} must be a positive integer, got '${raw}'`)
  }
  return value
}

/** A comma-separated subset of `known`, returned in `known`'s order without duplicates. */
function listOf<T extends string>(flag: string, raw: string | undefined, known: readonly T[]): T[] {
  if (raw === undefined) return [...known]
  const asked = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  const unknown = asked.filter((name) => !known.some((k) => k === name))
  if (unknown.length > 0 || asked.length === 0) {
    throw new BenchUsageError(`${flag}: unknown '${unknown.join(',')}'; known: ${known.join(',')}`)
  }
  return known.filter((name) => asked.includes(name))
}
