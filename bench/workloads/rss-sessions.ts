import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { median } from '../stats.ts'
import type { Measurement, Targets } from '../types.ts'
import { startInterval } from './measure.ts'
import { type OfflineSetup, populateOfflineSessions } from './offline-sessions.ts'

export interface RssParams extends OfflineSetup {
  brokerPids: number[]
  /** SessionLab's HTTP API, to time a page of sessions and /metrics at this many sessions. */
  http?: string
}

const SAMPLES = 21

/** Resident set size of every process in `pids`, summed, in KiB, from /proc/PID/status. */
export function rssKiB(pids: number[]): number {
  let sum = 0
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    sum += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
  }
  return sum
}

/**
 * RSS once it stopped moving: ten samples 1 s apart within 0.5% of each other, or after 60 s. A
 * Node process shrinks its heap some seconds after start-up (V8's memory reducer took a fresh
 * broker from 107 to 84 MB about 7 s in); a shorter window caught the baseline before that and
 * understated the memory per session by ~0.2 KiB.
 */
async function settledRss(pids: number[]): Promise<number> {
  const seen: number[] = []
  for (let i = 0; i < 60; i++) {
    await delay(1000)
    seen.push(rssKiB(pids))
    const last = seen.slice(-10)
    if (last.length === 10 && Math.max(...last) - Math.min(...last) <= Math.max(...last) * 0.005) {
      break
    }
  }
  return seen.at(-1) ?? 0
}

/**
 * The memory a broker holds per offline persistent session: read its RSS once steady, create
 * `sessions` persistent sessions (one QoS 1 subscription each) and leave them offline, queue
 * `queued` QoS 1 messages for each, read the RSS again once steady. Reports (after − before) ÷
 * sessions in KiB; for SessionLab also one page of `GET /api/sessions` and `GET /metrics` (median
 * of 21 calls after a first one) at that many sessions.
 */
export async function runRssSessions(targets: Targets, params: RssParams): Promise<Measurement[]> {
  const { brokerPids, sessions, http } = params
  const before = await settledRss(brokerPids)
  const timer = startInterval(brokerPids)
  await populateOfflineSessions(targets.publish, params, 'rss-sessions', 'bench-rss-pub')
  const setup = timer.stop('rss-per-session', sessions)
  const after = await settledRss(brokerPids)
  const measurements: Measurement[] = [{ ...setup, value: (after - before) / sessions }]
  if (http !== undefined) {
    const page = await timeGet(`${http}/api/sessions?limit=50`)
    const metrics = await timeGet(`${http}/metrics`)
    measurements.push(
      { ...setup, metric: 'rss-api-page', value: page },
      { ...setup, metric: 'rss-api-metrics', value: metrics },
    )
  }
  return measurements
}

/** Median time of {@link SAMPLES} GETs, after one first call (which may fill caches). */
async function timeGet(url: string): Promise<number> {
  const once = async (): Promise<number> => {
    const t0 = performance.now()
    const res = await fetch(url)
    const body = await res.text()
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`)
    return performance.now() - t0
  }
  await once()
  const times: number[] = []
  for (let i = 0; i < SAMPLES; i++) times.push(await once())
  return median(times)
}
