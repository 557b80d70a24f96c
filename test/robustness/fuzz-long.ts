/**
 * `npm run fuzz -- [--cases 20000] [--seed N] [--store sqlite|memory]`: the fuzz run of
 * `malformed-packets-never-crash-the-broker.test.ts`, longer, against a broker in this process.
 * Prints progress to stderr and, at the end, the figures and the seed; exits 1 with fast-check's
 * shrunk counterexample on the first case that hangs a connection or breaks the bystander.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createBroker } from '../../broker/broker.ts'
import { loadConfig } from '../../broker/config.ts'
import { runFuzz } from './fuzz/run.ts'

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
  },
})
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31))
const cases = Number(values.cases)
if (values.store !== 'sqlite' && values.store !== 'memory') throw new Error('--store sqlite|memory')

const loaded = loadConfig([])
if ('help' in loaded) throw new Error('unexpected help')
const dataDir = mkdtempSync(join(tmpdir(), 'sessionlab-fuzz-'))
const broker = await createBroker({
  ...loaded.config,
  mqttPort: 0,
  wsPort: 0,
  httpPort: 0,
  store: values.store,
  dataDir,
})
const log = (line: string) => process.stderr.write(`${line}\n`)
log(`fuzz: ${cases} cases against ${broker.urls.mqtt} (${values.store}), seed ${seed}`)
const started = Date.now()
let failed = false
try {
  const result = await runFuzz({
    url: broker.urls.mqtt,
    cases,
    seed,
    every: 25,
    closeWithinMs: 3_000,
    log,
  })
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
  console.log(
    `${result.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}: ` +
      `${result.answered} answered; slowest close ${result.slowestCloseMs} ms; ` +
      `${result.bystanderRoundTrips} bystander round trips, slowest ${result.slowestRoundTripMs} ms; ` +
      `heap after GC ${mb(result.heap.baseline)} -> ${mb(result.heap.end)}; RSS ${mb(process.memoryUsage().rss)}`,
  )
} catch (err) {
  failed = true
  console.error(err instanceof Error ? err.message : err)
  console.error(`seed ${seed}`)
} finally {
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
