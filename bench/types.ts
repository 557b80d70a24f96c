/**
 * Shared vocabulary of the benchmark harness: which brokers and workloads exist, what one timed
 * interval produced, and the jobs the driver hands to load-generator processes.
 */

import type { ExitInfo } from './children.ts'

/** A broker under test, listening; `stop()` ends it and removes its data dirs. */
export interface RunningBroker {
  name: BrokerName
  targets: Targets
  /** Node 1's HTTP API (SessionLab kinds). */
  http?: string
  /** The processes whose CPU (and RSS) count as the broker's: every node, and Redis. */
  pids(): number[]
  /** The exit status after SIGTERM, so the driver can flag a broker that did not exit cleanly. */
  stop(): Promise<ExitInfo>
  /**
   * Brokers that keep sessions across a restart: SIGTERM every node, wait for it to exit, spawn it
   * again on the same data and port. Resolves just after the spawn, with `performance.now()` then.
   */
  restart?(): Promise<{ spawnedAt: number; stopped: ExitInfo }>
}

/** The brokers a plain `npm run bench` runs, in the order they are run and printed. */
export const DEFAULT_BROKERS = [
  'sessionlab-sqlite',
  'sessionlab-memory',
  'aedes-bare',
  'mosquitto',
  'rabbitmq',
] as const

/** Every broker the harness knows how to start; the cluster kinds are opt-in (`--brokers`). */
export const BROKER_NAMES = [...DEFAULT_BROKERS, 'sessionlab-redis', 'sessionlab-redis-2'] as const
export type BrokerName = (typeof BROKER_NAMES)[number]

/** The broker every other one is compared with. */
export const BASELINE_BROKER: BrokerName = 'mosquitto'

/** The durable peer: RabbitMQ's MQTT plugin confirms a QoS 1 PUBLISH after persisting it. */
export const DURABLE_PEER: BrokerName = 'rabbitmq'

/** The workloads a plain `npm run bench` runs, in order. */
export const DEFAULT_WORKLOADS = [
  'drain',
  'drain-200k',
  'live',
  'live-qos2',
  'fanout',
  'sessions',
  'latency',
] as const

/** Every workload; `rss-sessions` and `restart` take minutes per broker, so they are opt-in. */
export const WORKLOAD_NAMES = [...DEFAULT_WORKLOADS, 'rss-sessions', 'restart'] as const
export type WorkloadName = (typeof WORKLOAD_NAMES)[number]

/** What a workload measures; `metrics.ts` says which workload produces each, its unit and title. */
export type MetricName =
  | 'drain-resume'
  | 'drain-enqueue'
  | 'drain200k-resume'
  | 'drain200k-enqueue'
  | 'live-qos1'
  | 'live-qos2'
  | 'fanout-qos0'
  | 'session-create'
  | 'latency-p50'
  | 'latency-p99'
  | 'rss-per-session'
  | 'rss-api-page'
  | 'rss-api-metrics'
  | 'restart-resume'

/** One timed interval, measured by a load generator (or the driver, for `restart`). */
export interface Measurement {
  metric: MetricName
  /** Messages delivered (or acknowledged, or sessions created) inside the interval. */
  messages: number
  elapsedMs: number
  /**
   * The figure, for metrics that are not a rate (ms, KiB). Absent: the figure is
   * `messages / elapsedMs`, per second.
   */
  value?: number
  /** CPU (user + system) every load-generator process spent inside the interval, summed. */
  generatorCpuMs: number
  /** CPU of the busiest single generator process; absent when there was only one. */
  generatorPeakCpuMs?: number
  /** How many generator processes shared the load. */
  generators?: number
  /** CPU the broker's processes spent inside the interval, where /proc tells (10 ms resolution). */
  brokerCpuMs?: number
  /** CPU the whole machine was busy inside the interval (all cores summed), from /proc/stat. */
  machineCpuMs?: number
  /** QoS 1/2 redeliveries seen by subscribers (same sequence number twice). */
  duplicates: number
}

/** Where a broker node listens. */
export interface Target {
  host: string
  port: number
}

/**
 * Which node each side of a workload talks to. One node: both the same. Two clustered nodes:
 * publishers (and a session's first connection) on node 1, subscribers (and resumes) on node 2.
 */
export interface Targets {
  publish: Target
  subscribe: Target
}

interface JobBase {
  targets: Targets
  /** The broker's processes, to read their CPU time (and RSS) from /proc. */
  brokerPids: number[]
  /** In-flight QoS 1/2 publishes each publisher keeps open. */
  window: number
  /** The generator gives up (and says how far it got) after this long, per timed phase. */
  timeoutMs: number
}

/** Setting up 100,000 sessions (rss-sessions, restart) gets this many times a timed phase's deadline. */
export const SETUP_TIMEOUT_FACTOR = 10

/** A job that runs in one load-generator process, which times its own intervals. */
export type Job =
  | (JobBase & { workload: 'drain'; count: number; metrics: 'drain' | 'drain200k' })
  | (JobBase & { workload: 'latency'; count: number; rate: number })
  | (JobBase & {
      workload: 'rss-sessions'
      sessions: number
      queued: number
      parallel: number
      http?: string
    })
  | (JobBase & { workload: 'restart-setup'; sessions: number; queued: number; parallel: number })

/**
 * A job split over several generator processes (shards) that start together on the driver's
 * signal; the driver times the interval from its `go` to the last shard's `done`.
 */
export type ShardJob =
  | (JobBase & { workload: 'live'; qos: 1 | 2; pairs: number; messagesPerPublisher: number })
  | (JobBase & { workload: 'fanout'; subscribers: number; messages: number })
  | (JobBase & { workload: 'sessions'; count: number; parallel: number })

/** What a single-process generator answers. */
export type JobReply = { ok: true; measurements: Measurement[] } | { ok: false; error: string }

/** What happened to one workload run against one broker. */
export type RunOutcome =
  | { ok: true; measurements: Measurement[] }
  | { ok: false; stage: 'start' | 'load'; error: string }
  /** The workload means nothing for this broker (a restart of an in-memory broker). */
  | { ok: false; stage: 'n/a'; error: string }

export interface RunRecord {
  workload: WorkloadName
  broker: BrokerName
  run: number
  outcome: RunOutcome
  /** Things worth knowing that did not fail the run, e.g. an unclean exit on SIGTERM. */
  warnings: string[]
}
