import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { runFuzz } from './fuzz/run.ts'

// A bounded fuzz run in CI; `npm run fuzz -- --cases N` runs a longer one.

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CASES = 600
/** Each connection is closed within this long after the client's FIN. */
const CLOSE_WITHIN_MS = 3_000
/**
 * Heap growth after a forced GC, from the first bystander check to the end (measured: ~1.5
 * MiB): the retained messages, Wills and sessions the cases leave stay well under it.
 */
const HEAP_GROWTH_BOUND = 16 * 1024 * 1024

it(`survives ${CASES} mutated packet streams with a bystander's session working and the heap bounded`, async () => {
  console.log(`fuzz seed ${SEED} (repeat with FUZZ_SEED=${SEED})`)
  const broker = await startBroker()
  const result = await runFuzz({
    url: broker.urls.mqtt,
    cases: CASES,
    seed: SEED,
    every: 25,
    closeWithinMs: CLOSE_WITHIN_MS,
    log: (line) => console.log(line),
  })
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
  console.log(
    `fuzz: ${result.cases} cases, ${result.answered} answered before closing; slowest close ${result.slowestCloseMs} ms; ` +
      `${result.bystanderRoundTrips} bystander round trips, slowest ${result.slowestRoundTripMs} ms; ` +
      `heap ${mb(result.heap.baseline)} -> ${mb(result.heap.end)} (gc ${result.heap.gcAvailable ? 'forced' : 'not available'})`,
  )
  expect(result.cases).toBe(CASES)
  expect(result.bystanderRoundTrips).toBe(Math.floor(CASES / 25))
  expect(result.heap.end - result.heap.baseline).toBeLessThan(HEAP_GROWTH_BOUND)
}, 60_000)
