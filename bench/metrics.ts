import type { BenchOptions } from './args.ts'
import type { MetricName, WorkloadName } from './types.ts'

export type Unit = 'msg/s' | 'sessions/s' | 'ms' | 'KiB'

/** What one metric is: which workload produces it, in what unit, under which title. */
export interface MetricInfo {
  workload: WorkloadName
  unit: Unit
  /** Produced by some brokers only (SessionLab's HTTP API): no table unless one produced it. */
  someBrokersOnly?: true
  title(options: BenchOptions): string
}

const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format

/** Every metric, in the order the tables are printed. */
export const METRICS: Record<MetricName, MetricInfo> = {
  'drain-resume': {
    workload: 'drain',
    unit: 'msg/s',
    title: (o) => `Resume drain: ${n(o.drainCount)} queued QoS 1 messages, CONNECT → all received`,
  },
  'drain200k-resume': {
    workload: 'drain-200k',
    unit: 'msg/s',
    title: (o) =>
      `Resume drain (large): ${n(o.drainLargeCount)} queued QoS 1 messages, CONNECT → all received`,
  },
  'live-qos1': {
    workload: 'live',
    unit: 'msg/s',
    title: (o) => liveTitle(1, o.window, o),
  },
  'live-qos2': {
    workload: 'live-qos2',
    unit: 'msg/s',
    title: (o) => liveTitle(2, o.qos2Window, o),
  },
  'fanout-qos0': {
    workload: 'fanout',
    unit: 'msg/s',
    title: (o) =>
      `QoS 0 fan-out: 1 publisher → ${o.fanoutSubscribers} subscribers on one topic, ${n(o.fanoutMessages)} messages, deliveries/s summed`,
  },
  'session-create': {
    workload: 'sessions',
    unit: 'sessions/s',
    title: (o) =>
      `Persistent session creation: ${n(o.sessions)} × (CONNECT clean=0, SUBSCRIBE QoS 1, DISCONNECT), ${o.connections} in flight`,
  },
  'latency-p50': {
    workload: 'latency',
    unit: 'ms',
    title: (o) => latencyTitle('p50', o),
  },
  'latency-p99': {
    workload: 'latency',
    unit: 'ms',
    title: (o) => latencyTitle('p99', o),
  },
  'rss-per-session': {
    workload: 'rss-sessions',
    unit: 'KiB',
    title: (o) =>
      `Broker RSS per offline persistent session: ${n(o.rssSessions)} sessions, 1 QoS 1 subscription and ${o.rssQueued} queued messages each (lower is better)`,
  },
  'rss-api-page': {
    workload: 'rss-sessions',
    unit: 'ms',
    someBrokersOnly: true,
    title: (o) =>
      `GET /api/sessions?limit=50 at ${n(o.rssSessions)} offline sessions, median of 21 (SessionLab only)`,
  },
  'rss-api-metrics': {
    workload: 'rss-sessions',
    unit: 'ms',
    someBrokersOnly: true,
    title: (o) =>
      `GET /metrics at ${n(o.rssSessions)} offline sessions, median of 21 (SessionLab only)`,
  },
  'restart-resume': {
    workload: 'restart',
    unit: 'ms',
    title: (o) =>
      `Restart: ${n(o.restartSessions)} persistent sessions, ${n(o.restartSessions * o.restartQueued)} queued messages; SIGTERM, spawn → first resumed client has its ${o.restartQueued} messages (lower is better)`,
  },
  'drain-enqueue': {
    workload: 'drain',
    unit: 'msg/s',
    title: (o) =>
      `Offline enqueue (drain setup): ${n(o.drainCount)} QoS 1 publishes to an offline session, window ${o.window}`,
  },
  'drain200k-enqueue': {
    workload: 'drain-200k',
    unit: 'msg/s',
    title: (o) =>
      `Offline enqueue (large drain setup): ${n(o.drainLargeCount)} QoS 1 publishes to an offline session, window ${o.window}`,
  },
}

export const METRIC_ORDER = Object.keys(METRICS) as MetricName[]

function liveTitle(qos: 1 | 2, window: number, o: BenchOptions): string {
  return `Live QoS ${qos}: ${o.pairs} publishers → ${o.pairs} persistent subscribers, ${n(o.messages)} messages each, window ${window}`
}

function latencyTitle(which: 'p50' | 'p99', o: BenchOptions): string {
  return `Latency ${which}, publish → deliver: QoS 1 at ${n(o.latencyRate)} msg/s, 1 publisher → 1 persistent subscriber, ${n(o.latencyMessages)} messages (lower is better)`
}
