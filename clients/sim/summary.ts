/**
 * What a simulation reports, as plain data: written to the JSON report and
 * read back by the dashboard's compare page, so this module and what it
 * imports stay browser-safe.
 */
import type { Strategy } from './schedule.ts'

export interface Percentiles {
  p50: number
  p95: number
  p99: number
  max: number
}

/** One strategy's figures, as the reports print them. */
export interface StrategySummary {
  strategy: Strategy
  devices: number
  /** Messages published. */
  sent: number
  /** Deliveries wanted: every device wants every message. */
  expected: number
  /** Distinct messages received, over all devices. */
  delivered: number
  lost: number
  duplicated: number
  /** What the schedule says this strategy loses (see `predictedLost`). */
  predictedLost: number
  latencyMs: Percentiles | null
  reconnects: number
  reconnectMs: Percentiles | null
  /** Persistent reconnects that found no session. */
  sessionsLost: number
  heldBytesPeak: number | null
  durationMs: number
}

/** Everything a simulation reports: its parameters, its schedule in brief, and one summary per strategy. */
export interface SimReport {
  broker: string
  seed: number
  devices: number
  messages: number
  rate: number
  qos: 0 | 1 | 2
  payloadBytes: number
  offlineMeanMs: number
  onlineMeanMs: number
  schedule: {
    offlinePeriods: number
    /** Device-messages published while the device was offline. */
    publishedWhileOffline: number
    /** Per device, its offline periods as [from, to) publish numbers. */
    periods: [number, number][][]
  }
  /** Where bytes held came from, or why the column is absent. */
  heldBytes: { api: string } | { unavailable: string } | null
  strategies: StrategySummary[]
}
