/**
 * What the broker answers about its recent past: broker-wide metric samples
 * (`GET /api/metrics/history`, and one `metrics` message per sample on the
 * dashboard's live channel) and a session's queue depth
 * (`GET /api/sessions/:clientId/queue-depth`). Types and names only, no
 * imports: the dashboard's browser code type-checks against this module.
 */

/** The series of every broker-wide sample, in the order the history lists them. */
export const METRIC_SERIES = [
  'connections',
  'online',
  'offline',
  'queued',
  'inflight',
  'receivedPerSec',
  'sentPerSec',
  'droppedPerSec',
] as const

export type MetricSeries = (typeof METRIC_SERIES)[number]

/** The broker at one moment. */
export interface MetricSample {
  /** ms since the epoch. */
  at: number
  /** Open MQTT connections. */
  connections: number
  /** Sessions connected / held offline (persistent, disconnected). */
  online: number
  offline: number
  /** Messages queued for sessions and not yet sent. */
  queued: number
  /** Outgoing QoS 1/2 messages sent and not yet acknowledged. */
  inflight: number
  /**
   * Messages accepted from clients, PUBLISH packets sent, and messages a
   * queue cap dropped, per second since the previous sample; null on the
   * first sample, which has no previous one.
   */
  receivedPerSec: number | null
  sentPerSec: number | null
  droppedPerSec: number | null
  /** The counters the rates come from: totals since the broker started. */
  received: number
  sent: number
  dropped: number
}

/** What `GET /api/metrics/history` answers: the ring of samples, oldest first, as columns. */
export interface MetricHistory {
  /** One sample every this many ms. */
  intervalMs: number
  /** Samples kept at most (the oldest goes first): `capacity * intervalMs` is the window. */
  capacity: number
  /** Sample times, ms since the epoch, oldest first. */
  times: number[]
  /** One column per series, aligned with `times`. */
  series: Record<MetricSeries, (number | null)[]>
  /** The newest sample in full (with its counters); null before the first one. */
  latest: MetricSample | null
}

/** What `GET /api/sessions/:clientId/queue-depth` answers. */
export interface QueueDepthHistory {
  clientId: string
  intervalMs: number
  /** Sample times, ms since the epoch, oldest first. */
  times: number[]
  /** Messages queued and not yet sent, at each time. */
  depth: number[]
  /** Their payload bytes, at each time. */
  bytes: number[]
}
