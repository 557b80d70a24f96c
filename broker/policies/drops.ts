import type { SessionEventSink } from '../inspector/types.ts'
import type { DropReason, PolicyCounters } from './counters.ts'

/** A message a queue cap dropped for one session. */
export interface Drop {
  clientId: string
  topic: string
  bytes: number
  why: DropReason
}

export interface DropReporterDeps {
  counters: PolicyCounters
  sink: SessionEventSink
  now: () => number
}

/**
 * Makes every drop seen, never silent: in the counters, and as a `dropped`
 * event to the sink, the inspector, which puts it in the session's history
 * and adds it to the session's dropped count (stored, for a persistent
 * session). Reported in the tick the drop is made, so that count's store
 * write commits in the same transaction as the drop.
 */
export class DropReporter {
  sink: SessionEventSink
  readonly #counters: PolicyCounters
  readonly #now: () => number

  constructor(deps: DropReporterDeps) {
    this.#counters = deps.counters
    this.sink = deps.sink
    this.#now = deps.now
  }

  /** Messages stored for sessions that are offline: a `queued` event each, for their history. */
  queued(clientIds: readonly string[], topic: string, qos: 0 | 1 | 2, bytes: number): void {
    if (clientIds.length === 0) return
    const at = this.#now()
    for (const clientId of clientIds)
      this.sink.record(clientId, { type: 'queued', at, topic, qos, bytes })
  }

  report(drops: readonly Drop[]): void {
    if (drops.length === 0) return
    const at = this.#now()
    for (const { clientId, topic, bytes, why } of drops) {
      this.#counters.dropped++
      this.#counters.droppedBy[why]++
      this.sink.record(clientId, { type: 'dropped', at, topic, bytes, why })
    }
  }
}
