import { describe, expect, it } from 'vitest'
import { aggregate, isSaturated } from './aggregate.ts'
import { parseBenchArgs } from './args.ts'
import type { BrokerName, Measurement, RunRecord, WorkloadName } from './types.ts'

function run(
  workload: WorkloadName,
  broker: BrokerName,
  measurements: Measurement[],
  runNumber = 1,
): RunRecord {
  return { workload, broker, run: runNumber, outcome: { ok: true, measurements }, warnings: [] }
}

function drainRun(broker: BrokerName, runNumber: number, elapsedMs: number, cpuMs = 100) {
  const m: Measurement = {
    metric: 'drain-resume',
    messages: 1000,
    elapsedMs,
    generatorCpuMs: cpuMs,
    duplicates: 0,
  }
  return run('drain', broker, [m], runNumber)
}

describe('aggregate', () => {
  const options = parseBenchArgs(['--brokers', 'aedes-bare,mosquitto', '--workloads', 'drain'])

  it('reports medians in msg/s and ratios to mosquitto', () => {
    const records = [
      drainRun('aedes-bare', 1, 1000),
      drainRun('aedes-bare', 2, 500),
      drainRun('aedes-bare', 3, 2000),
      drainRun('mosquitto', 1, 250),
    ]
    const [aedes, mosquitto] = aggregate(records, options)
    expect(aedes).toMatchObject({ broker: 'aedes-bare', median: 1000, min: 500, max: 2000 })
    expect(aedes?.ratio).toBeCloseTo(0.25)
    expect(mosquitto?.ratio).toBe(1)
  })

  it('flags generator saturation and lists failures without failing the others', () => {
    const failed: RunRecord = {
      workload: 'drain',
      broker: 'aedes-bare',
      run: 1,
      outcome: { ok: false, stage: 'start', error: 'exited (code 1)\nstack' },
      warnings: [],
    }
    const [aedes, mosquitto] = aggregate([failed, drainRun('mosquitto', 1, 100, 95)], options)
    expect(aedes).toMatchObject({ okRuns: 0, failures: ['failed to start: exited (code 1)'] })
    expect(aedes?.median).toBeUndefined()
    expect(mosquitto?.saturated).toBe(true)
  })

  it('takes values (ms, KiB) as they are, not as rates', () => {
    const latency = parseBenchArgs(['--brokers', 'mosquitto', '--workloads', 'latency'])
    const base = { messages: 2000, elapsedMs: 1000, generatorCpuMs: 100, duplicates: 0 }
    const rows = aggregate(
      [
        run('latency', 'mosquitto', [
          { ...base, metric: 'latency-p50', value: 0.4 },
          { ...base, metric: 'latency-p99', value: 2.5 },
        ]),
      ],
      latency,
    )
    expect(rows.map((r) => [r.metric, r.unit, r.median])).toEqual([
      ['latency-p50', 'ms', 0.4],
      ['latency-p99', 'ms', 2.5],
    ])
  })

  it('reports a restart of an in-memory broker as n/a, not as a failure', () => {
    const restart = parseBenchArgs(['--brokers', 'aedes-bare', '--workloads', 'restart'])
    const na: RunRecord = {
      workload: 'restart',
      broker: 'aedes-bare',
      run: 1,
      outcome: { ok: false, stage: 'n/a', error: 'n/a: in memory' },
      warnings: [],
    }
    const [row] = aggregate([na], restart)
    expect(row).toMatchObject({ notApplicable: true, failures: [], okRuns: 0 })
  })

  it('prints the SessionLab-only HTTP API tables only when some broker produced them', () => {
    const rss = parseBenchArgs(['--brokers', 'mosquitto', '--workloads', 'rss-sessions'])
    const m = { messages: 10, elapsedMs: 1000, generatorCpuMs: 10, duplicates: 0 }
    const rows = aggregate(
      [run('rss-sessions', 'mosquitto', [{ ...m, metric: 'rss-per-session', value: 2.9 }])],
      rss,
    )
    expect(rows.map((r) => r.metric)).toEqual(['rss-per-session'])
  })
})

describe('isSaturated', () => {
  const base = { metric: 'fanout-qos0' as const, messages: 1, elapsedMs: 1000, duplicates: 0 }

  it('flags a generator process at 90% of a core or more', () => {
    expect(isSaturated({ ...base, generatorCpuMs: 900 })).toBe(true)
    expect(isSaturated({ ...base, generatorCpuMs: 899 })).toBe(false)
  })

  it('judges several processes by the busiest one, not by their sum', () => {
    const spread = { ...base, generators: 2, generatorCpuMs: 1200, generatorPeakCpuMs: 600 }
    expect(isSaturated(spread)).toBe(false)
    expect(isSaturated({ ...spread, generatorPeakCpuMs: 950 })).toBe(true)
  })
})
