import { parseArgs } from 'node:util'
import { errorMessage } from '../../broker/coded-error.ts'
import { ClientError } from '../errors.ts'
import { parseBrokerUrl } from '../mqtt/url.ts'

/** Everything one `sessionlab scenario run` does, decided before anything connects. */
export interface ScenarioArgs {
  /** Scenario files or directories of them, as given. */
  paths: string[]
  /** Also run the bundled library (`clients/scenarios/`). */
  library: boolean
  broker: string
  vs: string | null
  json: boolean
  concurrency: number
  help: boolean
}

export const SCENARIO_USAGE = `Usage: sessionlab scenario run [FILE|DIR...] --broker URL [options]

Runs declarative MQTT 3.1.1 session scenarios (YAML or JSON, see
clients/scenarios/schema.json) against a broker and checks every expectation.

  --broker URL        mqtt://HOST:PORT or ws://HOST:PORT/PATH (required)
  --vs URL            also run against a second broker and print where the two differ
  --library           run the bundled library in clients/scenarios/ (also when no FILE is given)
  --json              print the results as JSON on stdout
  --concurrency N     scenarios run at the same time, each in its own namespace (default 4)
  -h, --help          this text

Exit code: 0 when every expectation held on every broker, 1 when one did not,
2 when the command could not run (bad arguments, bad scenario file, broker unreachable).`

/** Parses the arguments after `scenario run`. Pure: reads no file and opens no socket. */
export function parseScenarioArgs(argv: string[]): ScenarioArgs {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (err) {
    throw new ClientError('USAGE', errorMessage(err))
  }
  const { values, positionals } = parsed
  const help = values.help === true
  if (!help && values.broker === undefined) throw new ClientError('USAGE', 'missing --broker URL')
  // checked here so a typo stops the run before anything connects
  if (values.broker !== undefined) parseBrokerUrl(values.broker)
  if (values.vs !== undefined) parseBrokerUrl(values.vs)
  const concurrency = Number(values.concurrency ?? '4')
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ClientError(
      'USAGE',
      `--concurrency: expected an integer 1-64, got "${values.concurrency}"`,
    )
  }
  return {
    paths: positionals,
    library: values.library === true || positionals.length === 0,
    broker: values.broker ?? '',
    vs: values.vs ?? null,
    json: values.json === true,
    concurrency,
    help,
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      broker: { type: 'string' },
      vs: { type: 'string' },
      library: { type: 'boolean' },
      json: { type: 'boolean' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
