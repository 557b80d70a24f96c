/**
 * Shared vocabulary of the benchmark harness: which brokers and workloads exist, what one timed
 * interval produced, and the job the driver hands to a load-generator process.
 */

/** The brokers the harness knows how to start, in the order they are run and printed. */
export const BROKER_NAMES = [
  'sessionlab-sqlite',
  'sessionlab-memory',
  'aedes-bare',
  'mosquitto',
] as const
export type BrokerName = (typeof BROKER_NAMES)[number]

/** The broker every other one is compared with. */
export const BASELINE_BROKER: BrokerName = 'mosquitto'

export const WORKLOAD_NAMES = ['drain', 'live'] as const
export type WorkloadName = (typeof WORKLOAD_NAMES)[number]

/**
 * What a workload times. `drain-enqueue` is the untimed-in-the-brief setup phase of the drain
 * workload (QoS 1 publishes into an offline session); it comes for free, so it is reported too.
 */
export type MetricName = 'drain-resume' | 'drain-enqueue' | 'live-qos1'

/** One timed interval inside a load-generator process. */
export interface Measurement {
  metric: MetricName
  /** Messages delivered (or acknowledged, for enqueue) inside the interval. */
  messages: number
  elapsedMs: number
  /** CPU (user + system) the load generator itself spent inside the interval. */
  generatorCpuMs: number
  /** CPU the broker process spent inside the interval, where /proc tells (10 ms resolution). */
  brokerCpuMs?: number
  /** CPU the whole machine was busy inside the interval (all cores summed), from /proc/stat. */
  machineCpuMs?: number
  /** QoS 1 redeliveries seen by subscribers (same sequence number twice). */
  duplicates: number
}

/** Where the broker under test listens. */
export interface Target {
  host: string
  port: number
}

interface JobBase {
  target: Target
  /** The broker's process id, to read its CPU time from /proc. */
  brokerPid?: number
  /** In-flight QoS 1 publishes each publisher keeps open. */
  window: number
  /** The generator gives up (and says how far it got) after this long. */
  timeoutMs: number
}

/** What the driver asks one load-generator process to do. */
export type Job =
  | (JobBase & { workload: 'drain'; count: number })
  | (JobBase & { workload: 'live'; pairs: number; messagesPerPublisher: number })

/** What a load-generator process answers. */
export type JobReply = { ok: true; measurements: Measurement[] } | { ok: false; error: string }

/** What happened to one workload run against one broker. */
export type RunOutcome =
  | { ok: true; measurements: Measurement[] }
  | { ok: false; stage: 'start' | 'load'; error: string }

export interface RunRecord {
  workload: WorkloadName
  broker: BrokerName
  run: number
  outcome: RunOutcome
  /** Things worth knowing that did not fail the run, e.g. an unclean exit on SIGTERM. */
  warnings: string[]
}
