import type { Clock } from '../clock.ts'
import {
  METRIC_SERIES,
  type MetricHistory,
  type MetricSample,
  type MetricSeries,
} from './history-types.ts'
import { SampleRing } from './sample-ring.ts'

/** One sample every 5 s... */
export const SAMPLE_INTERVAL_MS = 5000
/** ...over the last hour: 720 samples, about 50 KB. */
export const HISTORY_WINDOW_MS = 3600_000

/** What a sample reads from the broker: gauges now, and counters since start. */
export interface MetricReading {
  connections: number
  online: number
  offline: number
  queued: number
  inflight: number
  received: number
  sent: number
  dropped: number
}

export interface MetricSamplerOptions {
  /** Reads the broker now (broker.ts wires it to BrokerStats and the policies' counters). */
  read(): Promise<MetricReading>
  clock: Clock
  intervalMs?: number
  windowMs?: number
  /** A failed read: the sample is skipped and the next tick tries again. */
  onError?: (err: unknown) => void
}

/** The broker's recent past: a ring of samples, taken on a timer, told to listeners as they come. */
export interface MetricSampler {
  readonly intervalMs: number
  /** The ring as columns, oldest first, for `GET /api/metrics/history`. */
  history(): MetricHistory
  /** Calls `listener` with each new sample; returns the unsubscribe function. */
  onSample(listener: (sample: MetricSample) => void): () => void
  /**
   * Takes a sample now (the timer calls this; so does start-up, so history is
   * never empty for long); null when the read failed or the sampler stopped.
   * Asked again at the same clock time, it answers the sample already taken.
   */
  sampleNow(): Promise<MetricSample | null>
  /** Stops the timer and waits for a sample under way. */
  stop(): Promise<void>
}

/**
 * Samples the broker every `intervalMs` (default 5 s) into a ring holding
 * `windowMs` of them (default an hour), starting with one sample at once.
 * Rates are the counters' differences over the time between two samples,
 * so a late or skipped tick gives a true rate, not a spike. A tick that
 * comes while the previous read still runs (a slow store) is skipped.
 */
export function startMetricSampler(options: MetricSamplerOptions): MetricSampler {
  const { read, clock, onError = () => {} } = options
  const intervalMs = options.intervalMs ?? SAMPLE_INTERVAL_MS
  const capacity = Math.max(1, Math.round((options.windowMs ?? HISTORY_WINDOW_MS) / intervalMs))
  const ring = new SampleRing<MetricSeries>(capacity, METRIC_SERIES)
  const listeners = new Set<(sample: MetricSample) => void>()
  let latest: MetricSample | null = null
  let running: Promise<MetricSample | null> | null = null
  let stopped = false

  const take = async (): Promise<MetricSample | null> => {
    if (stopped) return null
    const at = clock.now()
    // one sample per instant: a second one would say nothing, and have no rate
    if (latest !== null && at <= latest.at) return latest
    let reading: MetricReading
    try {
      reading = await read()
    } catch (err) {
      onError(err)
      return null
    }
    if (stopped) return null
    const sample = toSample(at, reading, latest)
    ring.push(at, sample)
    latest = sample
    for (const listener of listeners) listener(sample)
    return sample
  }
  const sampleNow = (): Promise<MetricSample | null> => {
    running ??= take().finally(() => {
      running = null
    })
    return running
  }

  const stopTimer = clock.every(intervalMs, () => {
    if (running === null) void sampleNow()
  })
  void sampleNow()

  return {
    intervalMs,
    history: () => ({ intervalMs, capacity, ...ring.columns(), latest }),
    onSample(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    sampleNow,
    async stop() {
      stopped = true
      stopTimer()
      listeners.clear()
      await running
    },
  }
}

/** A reading as a sample: the gauges as read, the counters turned into rates since `previous`. */
export function toSample(
  at: number,
  reading: MetricReading,
  previous: MetricSample | null,
): MetricSample {
  const seconds = previous === null ? 0 : (at - previous.at) / 1000
  const rate = (now: number, before: number | undefined): number | null =>
    seconds > 0 && before !== undefined ? round((now - before) / seconds) : null
  return {
    at,
    connections: reading.connections,
    online: reading.online,
    offline: reading.offline,
    queued: reading.queued,
    inflight: reading.inflight,
    receivedPerSec: rate(reading.received, previous?.received),
    sentPerSec: rate(reading.sent, previous?.sent),
    droppedPerSec: rate(reading.dropped, previous?.dropped),
    received: reading.received,
    sent: reading.sent,
    dropped: reading.dropped,
  }
}

/** Rates to 0.01/s: finer says nothing at a 5 s interval, and keeps the JSON short. */
function round(value: number): number {
  return Math.round(value * 100) / 100
}
