import { describe, expect, it } from 'vitest'
import { aggregate, median } from './aggregate.ts'
import { parseBenchArgs } from './args.ts'
import type { BrokerName, RunRecord } from './types.ts'

function drainRun(broker: BrokerName, run: number, elapsedMs: number, cpuMs = 100): RunRecord {
  const measurements = [
    {
      metric: 'drain-resume' as const,
      messages: 1000,
      elapsedMs,
      generatorCpuMs: cpuMs,
      duplicates: 0,
    },
  ]
  return { workload: 'drain', broker, run, outcome: { ok: true, measurements }, warnings: [] }
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})

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
})
