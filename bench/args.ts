import { parseArgs } from 'node:util'
import {
  BROKER_NAMES,
  type BrokerName,
  DEFAULT_BROKERS,
  DEFAULT_WORKLOADS,
  WORKLOAD_NAMES,
  type WorkloadName,
} from './types.ts'

/** Everything one `npm run bench` does, decided before anything starts. */
export interface BenchOptions {
  runs: number
  /** Messages queued for the `drain` workload. */
  drainCount: number
  /** Messages queued for the `drain-200k` workload. */
  drainLargeCount: number
  /** QoS 1/2 messages each live publisher sends. */
  messages: number
  /** Publisher → subscriber pairs in the live workloads. */
  pairs: number
  window: number
  /**
   * In-flight QoS 2 publishes per publisher in 'live-qos2'. Mosquitto counts incoming QoS 2
   * messages against `max_inflight_messages` (20) and disconnects a 3.1.1 client past it.
   */
  qos2Window: number
  /** Load-generator processes that share the live, fan-out and session-creation loads. */
  generators: number
  fanoutSubscribers: number
  fanoutMessages: number
  /** Persistent sessions created by the `sessions` workload, and how many at a time. */
  sessions: number
  connections: number
  latencyRate: number
  latencyMessages: number
  rssSessions: number
  rssQueued: number
  restartSessions: number
  restartQueued: number
  /** Per timed phase; setting up 100,000 sessions (rss-sessions, restart) gets ten times this. */
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

  --runs N                repetitions of each workload per broker (default 3; --quick: 1)
  --workloads a,b         subset of ${WORKLOAD_NAMES.join(',')}
                          (default: ${DEFAULT_WORKLOADS.join(',')})
  --brokers a,b           subset of ${BROKER_NAMES.join(',')}
                          (default: ${DEFAULT_BROKERS.join(',')})
  --drain-count N         messages queued for 'drain' (default 20000; --quick: 2000)
  --drain-large-count N   messages queued for 'drain-200k' (default 200000; --quick: 20000)
  --messages N            messages per publisher in 'live' and 'live-qos2' (default 20000; --quick: 2000)
  --pairs N               publisher/subscriber pairs in 'live' and 'live-qos2' (default 4)
  --window N              in-flight QoS 1/2 publishes per publisher (default 100)
  --qos2-window N         in-flight QoS 2 publishes per publisher in 'live-qos2' (default 20:
                          Mosquitto's max_inflight_messages, which it enforces on incoming QoS 2)
  --generators N          generator processes for live, live-qos2, fanout, sessions (default 2)
  --fanout-subscribers N  subscribers in 'fanout' (default 100)
  --fanout-messages N     QoS 0 messages published in 'fanout' (default 10000; --quick: 1000)
  --sessions N            sessions created in 'sessions' (default 10000; --quick: 1000)
  --connections N         sessions being set up at a time in 'sessions' (default 32)
  --latency-rate N        publishes per second in 'latency' (default 2000)
  --latency-messages N    messages in 'latency' (default 20000; --quick: 2000)
  --rss-sessions N        offline sessions in 'rss-sessions' (default 100000; --quick: 2000)
  --rss-queued N          queued messages per session in 'rss-sessions' (default 3)
  --restart-sessions N    persistent sessions in 'restart' (default 100000; --quick: 2000)
  --restart-queued N      queued messages per session in 'restart' (default 2)
  --timeout S             seconds one timed phase may take (default 120; 10x for 'rss-sessions'
                          and 'restart' setup)
  --quick                 small counts and one run: a smoke test
  --json                  print the raw runs and the summary as JSON on stdout
  -h, --help              this text`

const DEFAULTS = {
  runs: 3,
  drainCount: 20_000,
  drainLargeCount: 200_000,
  messages: 20_000,
  fanoutMessages: 10_000,
  sessions: 10_000,
  latencyMessages: 20_000,
  rssSessions: 100_000,
  restartSessions: 100_000,
}
const QUICK: typeof DEFAULTS = {
  runs: 1,
  drainCount: 2_000,
  drainLargeCount: 20_000,
  messages: 2_000,
  fanoutMessages: 1_000,
  sessions: 1_000,
  latencyMessages: 2_000,
  rssSessions: 2_000,
  restartSessions: 2_000,
}

const COUNT = { type: 'string' } as const
const COUNT_OPTIONS = {
  runs: COUNT,
  'drain-count': COUNT,
  'drain-large-count': COUNT,
  messages: COUNT,
  pairs: COUNT,
  window: COUNT,
  'qos2-window': COUNT,
  generators: COUNT,
  'fanout-subscribers': COUNT,
  'fanout-messages': COUNT,
  sessions: COUNT,
  connections: COUNT,
  'latency-rate': COUNT,
  'latency-messages': COUNT,
  'rss-sessions': COUNT,
  'rss-queued': COUNT,
  'restart-sessions': COUNT,
  'restart-queued': COUNT,
  timeout: COUNT,
}

/** Parses `process.argv.slice(2)`; pure, so it is tested without starting anything. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      ...COUNT_OPTIONS,
      brokers: { type: 'string' },
      workloads: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const base = values.quick ? QUICK : DEFAULTS
  const count = (name: keyof typeof COUNT_OPTIONS, fallback: number): number =>
    positiveInt(`--${name}`, values[name], fallback)
  const window = count('window', 100)
  if (window > 65_535) throw new BenchUsageError('--window must be at most 65535 (packet ids)')
  return {
    runs: count('runs', base.runs),
    drainCount: count('drain-count', base.drainCount),
    drainLargeCount: count('drain-large-count', base.drainLargeCount),
    messages: count('messages', base.messages),
    pairs: count('pairs', 4),
    window,
    qos2Window: Math.min(count('qos2-window', 20), 65_535),
    generators: count('generators', 2),
    fanoutSubscribers: count('fanout-subscribers', 100),
    fanoutMessages: count('fanout-messages', base.fanoutMessages),
    sessions: count('sessions', base.sessions),
    connections: count('connections', 32),
    latencyRate: count('latency-rate', 2_000),
    latencyMessages: count('latency-messages', base.latencyMessages),
    rssSessions: count('rss-sessions', base.rssSessions),
    rssQueued: count('rss-queued', 3),
    restartSessions: count('restart-sessions', base.restartSessions),
    restartQueued: count('restart-queued', 2),
    timeoutMs: count('timeout', 120) * 1000,
    brokers: listOf('--brokers', values.brokers, BROKER_NAMES, DEFAULT_BROKERS),
    workloads: listOf('--workloads', values.workloads, WORKLOAD_NAMES, DEFAULT_WORKLOADS),
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
function listOf<T extends string>(
  flag: string,
  raw: string | undefined,
  known: readonly T[],
  fallback: readonly T[],
): T[] {
  if (raw === undefined) return [...fallback]
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
