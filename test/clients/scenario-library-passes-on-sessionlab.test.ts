import { describe, expect, test } from 'vitest'
import { libraryFiles } from '../../clients/scenario/library.ts'
import { loadScenarioFiles } from '../../clients/scenario/load.ts'
import { formatReport } from '../../clients/scenario/print.ts'
import { runScenarios } from '../../clients/scenario/run.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'

describe.each(transports)('over %s', (transport) => {
  test('every bundled scenario passes against SessionLab', async () => {
    const scenarios = await loadScenarioFiles(libraryFiles())
    const broker = await startBroker()
    const report = await runScenarios(scenarios, {
      broker: urlFor(broker, transport),
      concurrency: 4,
    })
    expect(report.passed, formatReport(report)).toBe(true)
  })
})
