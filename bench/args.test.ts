import { describe, expect, it } from 'vitest'
import { BenchUsageError, parseBenchArgs } from './args.ts'
import { BROKER_NAMES } from './types.ts'

describe('parseBenchArgs', () => {
  it('defaults to three runs of every workload against every broker', () => {
    const options = parseBenchArgs([])
    expect(options).toMatchObject({ runs: 3, drainCount: 20_000, messages: 20_000, pairs: 4 })
    expect(options.brokers).toEqual([...BROKER_NAMES])
    expect(options.workloads).toEqual(['drain', 'live'])
  })

  it('makes --quick small and single-run, and lets explicit counts win over it', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ runs: 1, drainCount: 2_000 })
    expect(parseBenchArgs(['--quick', '--runs', '2'])).toMatchObject({ runs: 2, messages: 2_000 })
  })

  it('keeps a broker subset in the canonical order, without duplicates', () => {
    const options = parseBenchArgs(['--brokers', 'mosquitto, aedes-bare,mosquitto'])
    expect(options.brokers).toEqual(['aedes-bare', 'mosquitto'])
  })

  it('reads counts with digit separators and the timeout in seconds', () => {
    const options = parseBenchArgs(['--drain-count', '100_000', '--timeout', '30'])
    expect(options).toMatchObject({ drainCount: 100_000, timeoutMs: 30_000 })
  })

  it('rejects unknown brokers, non-positive counts and oversized windows with a usage error', () => {
    expect(() => parseBenchArgs(['--brokers', 'hivemq'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--messages', '1.5'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--window', '70000'])).toThrow(BenchUsageError)
  })

  it('rejects unknown flags', () => {
    expect(() => parseBenchArgs(['--nope'])).toThrow()
  })
})
