import { expect, test } from 'vitest'
import { classifyDifferences, compareReports } from '../../clients/scenario/compare.ts'
import { libraryFiles } from '../../clients/scenario/library.ts'
import { loadScenarioFiles } from '../../clients/scenario/load.ts'
import { formatDifferences } from '../../clients/scenario/print-vs.ts'
import { runScenarios } from '../../clients/scenario/run.ts'
import { MOSQUITTO_DIFFERENCES } from '../../clients/scenarios/known-differences.ts'
import { startBroker } from '../helpers/broker.ts'
import { mosquittoAvailable, startMosquitto } from './mosquitto.ts'

test.skipIf(!mosquittoAvailable())(
  'the scenario library sees Mosquitto differ from SessionLab only where the known differences say',
  async () => {
    const scenarios = await loadScenarioFiles(libraryFiles())
    const [sessionlab, mosquitto] = await Promise.all([startBroker(), startMosquitto()])
    const [a, b] = await Promise.all([
      runScenarios(scenarios, { broker: sessionlab.urls.mqtt, concurrency: 4 }),
      runScenarios(scenarios, { broker: mosquitto, concurrency: 4 }),
    ])
    const { unexpected, stale } = classifyDifferences(compareReports(a, b), MOSQUITTO_DIFFERENCES)
    expect(formatDifferences(unexpected, a.broker, b.broker)).toBe('no differences')
    expect(stale.map((k) => k.scenario)).toEqual([])
    expect(a.passed).toBe(true)
  },
)
