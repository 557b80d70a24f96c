import { parseArgs } from 'node:util'
import { errorMessage } from '../../broker/coded-error.ts'
import { ClientError } from '../errors.ts'
import { parseBrokerUrl } from '../mqtt/url.ts'
import { STRATEGIES, type Strategy } from './schedule.ts'

/** Everything one `sessionlab sim` does, decided before anything connects. */
export interface SimArgs {
  broker: string
  devices: number
  strategies: Strategy[]
  /** null: draw one (and print it, so the run can be repeated). */
  seed: number | null
  rate: number
  qos: 0 | 1 | 2
  messages: number
  offlineMeanMs: number
  onlineMeanMs: number
  payloadBytes: number
  settleMs: number
  api: string | null
  reportMd: string | null
  reportJson: string | null
  json: boolean
  help: boolean
}

export const SIM_USAGE = `Usage: sessionlab sim --broker URL [options]

Simulates a fleet of devices that go offline at random (seeded) times while a
publisher sends at a fixed rate, once per session strategy, and reports what
each strategy lost, duplicated and how long deliveries and reconnects took.

  --broker URL          mqtt://HOST:PORT or ws://HOST:PORT/PATH (required)
  --devices N           simulated devices (default 10)
  --strategy S          persistent | clean | resubscribe | expiry:N | all, or several
                        comma-separated (default all: the first three); expiry:N is an
                        MQTT 5 session with a Session Expiry Interval of N seconds
  --seed N              seed of the offline schedule; the same seed repeats a run (default: drawn, printed)
  --rate R              messages published per second (default 20)
  --qos Q               QoS of the publisher and the subscriptions: 0, 1 or 2 (default 1)
  --duration S          seconds of publishing (default 10), or
  --messages M          number of messages to publish
  --offline-mean MS     mean offline period (default 2000)
  --online-mean MS      mean online period between them (default 3000)
  --payload-bytes N     payload size, at least 4 (default 64)
  --settle MS           longest wait for owed messages before a drop and at the end (default 2000)
  --api URL             SessionLab's HTTP API (e.g. http://127.0.0.1:8080): adds the bytes the
                        broker holds for the sessions; left out when it does not answer
  --report-md FILE      write the Markdown report to FILE
  --report-json FILE    write the JSON report to FILE
  --json                print the JSON report on stdout instead of the Markdown one
  -h, --help            this text`

/** Parses the arguments after `sim`. Pure: opens nothing. */
export function parseSimArgs(argv: string[]): SimArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw new ClientError('USAGE', errorMessage(err))
  }
  const help = values.help === true
  if (!help && values.broker === undefined) throw new ClientError('USAGE', 'missing --broker URL')
  if (values.broker !== undefined) parseBrokerUrl(values.broker)
  if (values.messages !== undefined && values.duration !== undefined) {
    throw new ClientError('USAGE', 'give --duration or --messages, not both')
  }
  const rate = number(values.rate, 'rate', 20, 0.1, 100_000)
  const messages =
    values.messages !== undefined
      ? integer(values.messages, 'messages', 0, 1, 10_000_000)
      : Math.max(1, Math.round(number(values.duration, 'duration', 10, 0.01, 86_400) * rate))
  return {
    broker: values.broker ?? '',
    devices: integer(values.devices, 'devices', 10, 1, 100_000),
    strategies: strategies(values.strategy ?? 'all'),
    seed: values.seed === undefined ? null : integer(values.seed, 'seed', 0, 0, 2 ** 32 - 1),
    rate,
    qos: integer(values.qos, 'qos', 1, 0, 2) as 0 | 1 | 2,
    messages,
    offlineMeanMs: integer(values['offline-mean'], 'offline-mean', 2000, 1, 86_400_000),
    onlineMeanMs: integer(values['online-mean'], 'online-mean', 3000, 1, 86_400_000),
    payloadBytes: integer(values['payload-bytes'], 'payload-bytes', 64, 4, 268_435_455),
    settleMs: integer(values.settle, 'settle', 2000, 0, 600_000),
    api: values.api ?? null,
    reportMd: values['report-md'] ?? null,
    reportJson: values['report-json'] ?? null,
    json: values.json === true,
    help,
  }
}

function strategies(text: string): Strategy[] {
  if (text === 'all') return [...STRATEGIES]
  const list = text.split(',')
  for (const s of list) {
    if ((STRATEGIES as readonly string[]).includes(s)) continue
    const expiry = /^expiry:(\d+)$/.exec(s)
    // 0 is a session that ends with the connection; 4294967295 one that never ends
    if (expiry && Number(expiry[1]) <= 4_294_967_295) continue
    throw new ClientError(
      'USAGE',
      `--strategy: expected ${STRATEGIES.join(', ')}, expiry:N (N seconds, 0-4294967295) or all, got "${s}"`,
    )
  }
  return list as Strategy[]
}

function number(
  text: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new ClientError('USAGE', `--${flag}: expected a number ${min}-${max}, got "${text}"`)
  }
  return n
}

function integer(
  text: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = number(text, flag, fallback, min, max)
  if (!Number.isInteger(n))
    throw new ClientError('USAGE', `--${flag}: expected an integer, got "${text}"`)
  return n
}

function parse(argv: string[]) {
  const text = { type: 'string' } as const
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      broker: text,
      devices: text,
      strategy: text,
      seed: text,
      rate: text,
      qos: text,
      duration: text,
      messages: text,
      'offline-mean': text,
      'online-mean': text,
      'payload-bytes': text,
      settle: text,
      api: text,
      'report-md': text,
      'report-json': text,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
