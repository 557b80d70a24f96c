import { setTimeout as delay } from 'node:timers/promises'
import { NOISE } from './aggregate.ts'
import { machineBusyMs } from './procfs.ts'

export interface QuietResult {
  waitedMs: number
  /** Cores the machine kept busy over the last sample; undefined where there is no /proc. */
  busyCores: number | undefined
}

const SAMPLE_MS = 500

/**
 * Waits until the machine has been nearly idle for one sample, or `maxWaitMs` has passed. Other
 * work on a two-core machine (a test suite, a build) halves a broker's figure; better to start
 * late than to measure the neighbours. `onBusy` hears about the first busy sample only.
 */
export async function waitForQuiet(
  maxWaitMs: number,
  onBusy: (busyCores: number) => void,
): Promise<QuietResult> {
  const started = Date.now()
  for (;;) {
    const before = machineBusyMs()
    await delay(SAMPLE_MS)
    const after = machineBusyMs()
    if (before === undefined || after === undefined) return { waitedMs: 0, busyCores: undefined }
    const busyCores = (after - before) / SAMPLE_MS
    const waitedMs = Date.now() - started
    if (busyCores <= NOISE || waitedMs >= maxWaitMs) return { waitedMs, busyCores }
    if (waitedMs < SAMPLE_MS * 2) onBusy(busyCores)
  }
}
