import {
  METRIC_SERIES,
  type MetricHistory,
  type MetricSample,
  type MetricSeries,
} from '../../broker/metrics/history-types.ts'

/**
 * The overview's copy of the broker's metric ring, as the columns uPlot
 * draws: filled from `GET /api/metrics/history`, then one live sample at a
 * time. Samples come from two places that may overlap (a sample can arrive
 * live while the history is on its way): each time is kept once, in order,
 * and no more than the server's window is kept.
 */
export class MetricColumns {
  /** Sample times in seconds (uPlot's unit for time), oldest first. */
  seconds: number[] = []
  series: Record<MetricSeries, (number | null)[]> = emptySeries()
  latest: MetricSample | null = null
  #capacity = 720
  /** Live samples since the last `replace`, to lay on the end of the next history. */
  #live: MetricSample[] = []

  get length(): number {
    return this.seconds.length
  }

  /** Takes the server's history; live samples newer than it are kept on its end. */
  replace(history: MetricHistory): void {
    const last = history.times.at(-1) ?? Number.NEGATIVE_INFINITY
    const tail = this.#live.filter((sample) => sample.at > last)
    this.#live = []
    this.#capacity = history.capacity
    this.seconds = history.times.map((t) => t / 1000)
    this.series = emptySeries()
    for (const key of METRIC_SERIES) this.series[key] = [...history.series[key]]
    this.latest = history.latest
    for (const sample of tail) this.append(sample)
  }

  /** Adds a live sample; false when it is not newer than the last one kept (nothing changed). */
  append(sample: MetricSample): boolean {
    const last = this.seconds.at(-1)
    if (last !== undefined && sample.at / 1000 <= last) return false
    this.seconds.push(sample.at / 1000)
    for (const key of METRIC_SERIES) this.series[key].push(sample[key])
    while (this.seconds.length > this.#capacity) {
      this.seconds.shift()
      for (const key of METRIC_SERIES) this.series[key].shift()
    }
    this.latest = sample
    this.#live.push(sample)
    // only the samples a history on its way may lack are worth keeping
    if (this.#live.length > 60) this.#live.shift()
    return true
  }
}

function emptySeries(): Record<MetricSeries, (number | null)[]> {
  return {
    connections: [],
    online: [],
    offline: [],
    queued: [],
    inflight: [],
    receivedPerSec: [],
    sentPerSec: [],
    droppedPerSec: [],
  }
}
