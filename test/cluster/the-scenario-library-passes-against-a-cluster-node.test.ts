import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { libraryFiles } from '../../clients/scenario/library.ts'
import { loadScenarioFiles } from '../../clients/scenario/load.ts'
import { formatReport } from '../../clients/scenario/print.ts'
import { runScenarios } from '../../clients/scenario/run.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { startNode } from './cluster.ts'

describe.skipIf(!redisAvailable())('against a node of a two-node cluster on Redis', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  it.each(['mqtt', 'ws'] as const)(
    'every bundled scenario passes over %s',
    { timeout: 120_000 },
    async (transport) => {
      const a = await startNode(redis.url, `node-a-${transport}`)
      await startNode(redis.url, `node-b-${transport}`)
      const scenarios = await loadScenarioFiles(libraryFiles())
      const report = await runScenarios(scenarios, {
        broker: transport === 'mqtt' ? a.mqttUrl : a.wsUrl,
        concurrency: 4,
      })
      expect(report.passed, formatReport(report)).toBe(true)
    },
  )
})
