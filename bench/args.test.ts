import { describe, expect, it } from 'vitest'
import { BenchUsageError, parseBenchArgs } from './args.ts'
import { DEFAULT_BROKERS, DEFAULT_WORKLOADS } from './types.ts'

describe('parseBenchArgs', () => {
  it('defaults to three runs of every default workload against every default broker', () => {
    const options = parseBenchArgs([])
    expect(options).toMatchObject({
      runs: 3,
      drainCount: 20_000,
      drainLargeCount: 200_000,
      messages: 20_000,
      pairs: 4,
      generators: 2,
      fanoutSubscribers: 100,
      connections: 32,
      latencyRate: 2_000,
      rssSessions: 100_000,
      restartSessions: 100_000,
      restartQueued: 2,
    })
    expect(options.brokers).toEqual([...DEFAULT_BROKERS])
    expect(options.workloads).toEqual([...DEFAULT_WORKLOADS])
  })

  it('leaves the long workloads and the cluster brokers out unless asked for', () => {
    const options = parseBenchArgs([])
    expect(options.workloads).toContain('drain-200k')
    expect(options.workloads).not.toContain('rss-sessions')
    expect(options.workloads).not.toContain('restart')
    expect(options.brokers).not.toContain('sessionlab-redis')
    const asked = parseBenchArgs([
      '--workloads',
      'restart,rss-sessions',
      '--brokers',
      'sessionlab-redis-2,sessionlab-redis',
    ])
    expect(asked.workloads).toEqual(['rss-sessions', 'restart'])
    expect(asked.brokers).toEqual(['sessionlab-redis', 'sessionlab-redis-2'])
  })

  it('makes --quick small and single-run, and lets explicit counts win over it', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({
      runs: 1,
      drainCount: 2_000,
      drainLargeCount: 20_000,
      restartSessions: 2_000,
    })
    expect(parseBenchArgs(['--quick', '--runs', '2'])).toMatchObject({ runs: 2, messages: 2_000 })
    expect(parseBenchArgs(['--quick', '--rss-sessions', '5000'])).toMatchObject({
      rssSessions: 5_000,
    })
  })

  it('keeps a broker subset in the canonical order, without duplicates', () => {
    const options = parseBenchArgs(['--brokers', 'mosquitto, aedes-bare,mosquitto'])
    expect(options.brokers).toEqual(['aedes-bare', 'mosquitto'])
  })

  it('reads counts with digit separators and the timeout in seconds', () => {
    const options = parseBenchArgs(['--drain-count', '100_000', '--timeout', '30'])
    expect(options).toMatchObject({ drainCount: 100_000, timeoutMs: 30_000 })
    expect(parseBenchArgs(['--generators', '3', '--fanout-subscribers', '10'])).toMatchObject({
      generators: 3,
      fanoutSubscribers: 10,
    })
  })

  it('rejects unknown brokers and workloads, non-positive counts and oversized windows', () => {
    expect(() => parseBenchArgs(['--brokers', 'hivemq'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--workloads', 'drain,nope'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--messages', '1.5'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--generators=-1'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--window', '70000'])).toThrow(BenchUsageError)
  })

  it('rejects unknown flags', () => {
    expect(() => parseBenchArgs(['--nope'])).toThrow()
  })
})
