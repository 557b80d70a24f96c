import { performance } from 'node:perf_hooks'
import { machineBusyMs, processesCpuMs } from '../procfs.ts'
import type { Measurement, MetricName } from '../types.ts'

/** A timed interval: wall time and CPU (this process, the broker, the machine) at start and stop. */
export interface Interval {
  stop(metric: MetricName, messages: number, duplicates?: number): Measurement
}

/** Starts timing an interval; the broker's CPU is summed over `brokerPids` (nodes, Redis). */
export function startInterval(brokerPids: number[]): Interval {
  const brokerStart = processesCpuMs(brokerPids)
  const machineStart = machineBusyMs()
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  return {
    stop(metric, messages, duplicates = 0) {
      const elapsedMs = performance.now() - wallStart
      const cpu = process.cpuUsage(cpuStart)
      const brokerEnd = processesCpuMs(brokerPids)
      const machineEnd = machineBusyMs()
      const generatorCpuMs = (cpu.user + cpu.system) / 1000
      const measurement: Measurement = { metric, messages, elapsedMs, generatorCpuMs, duplicates }
      if (brokerStart !== undefined && brokerEnd !== undefined) {
        measurement.brokerCpuMs = brokerEnd - brokerStart
      }
      if (machineStart !== undefined && machineEnd !== undefined) {
        measurement.machineCpuMs = machineEnd - machineStart
      }
      return measurement
    },
  }
}

/** Rejects after `ms` with whatever `progress` says at that moment. */
export function withDeadline<T>(work: Promise<T>, ms: number, progress: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${progress()}`)), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}

/**
 * Logs `progress()` to stderr every `everyMs` while `work` runs: setting up 100,000 sessions takes
 * minutes, and a silent harness looks hung. stderr is the driver's, so the line shows in its output.
 */
export async function withProgressLog<T>(
  label: string,
  work: Promise<T>,
  progress: () => string,
  everyMs = 10_000,
): Promise<T> {
  const timer = setInterval(() => process.stderr.write(`  ${label}: ${progress()}\n`), everyMs)
  try {
    return await work
  } finally {
    clearInterval(timer)
  }
}
