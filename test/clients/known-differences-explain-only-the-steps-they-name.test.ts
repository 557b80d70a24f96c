import { expect, test } from 'vitest'
import {
  classifyDifferences,
  compareReports,
  type KnownDifference,
} from '../../clients/scenario/compare.ts'
import { libraryFiles } from '../../clients/scenario/library.ts'
import { loadScenarioFiles } from '../../clients/scenario/load.ts'
import type { RunReport, StepResult } from '../../clients/scenario/result.ts'
import { MOSQUITTO_DIFFERENCES } from '../../clients/scenarios/known-differences.ts'

function step(
  index: number,
  observed: StepResult['observed'],
  error: StepResult['error'] = null,
): StepResult {
  const passed = error === null
  return {
    index,
    line: index + 2,
    action: 'connect',
    client: 'c',
    passed,
    expectations: 1,
    failures: [],
    observed,
    error,
    durationMs: index,
  }
}

function report(broker: string, steps: StepResult[]): RunReport {
  const result = {
    id: 's',
    file: 's.yaml',
    name: 's',
    rule: null,
    broker,
    passed: true,
    expectations: { checked: 3, failed: 0 },
    stepCount: 3,
    durationMs: 1,
    steps,
  }
  return { broker, passed: true, results: [result] }
}

const connack = (sessionPresent: boolean) => ({ connack: { returnCode: 0, sessionPresent } })

test('only steps whose observation or error code differ are differences; timings are not', () => {
  const a = report('A', [
    step(1, connack(false)),
    step(2, connack(true)),
    step(3, { closed: true }),
  ])
  const b = report('B', [
    { ...step(1, connack(false)), durationMs: 900 },
    step(2, connack(false)),
    step(3, {}, { code: 'TIMEOUT', message: 'still open after 3000 ms' }),
  ])
  const differences = compareReports(a, b)
  expect(differences.map((d) => [d.step, d.line])).toEqual([
    [2, 4],
    [3, 5],
  ])
  expect(differences[0]?.b?.observed).toEqual(connack(false))
})

test('known differences explain their steps, other steps stay unexpected, and an "always" entry that no longer shows is stale', () => {
  const a = report('A', [
    step(1, connack(false)),
    step(2, connack(true)),
    step(3, { closed: true }),
  ])
  const b = report('B', [
    step(1, connack(true)),
    step(2, connack(false)),
    step(3, { closed: true }),
  ])
  const known: KnownDifference[] = [
    { broker: 'x', scenario: 's', steps: [2], occurs: 'always', reason: 'r' },
    { broker: 'x', scenario: 's', steps: [3], occurs: 'always', reason: 'gone' },
    { broker: 'x', scenario: 's', steps: [3], occurs: 'timing', reason: 'sometimes' },
  ]
  const { known: explained, unexpected, stale } = classifyDifferences(compareReports(a, b), known)
  expect(explained.map((d) => d.step)).toEqual([2])
  expect(unexpected.map((d) => d.step)).toEqual([1])
  expect(stale.map((k) => k.reason)).toEqual(['gone'])
})

test('every known Mosquitto difference names a bundled scenario and steps it has, with a reason', async () => {
  const scenarios = await loadScenarioFiles(libraryFiles())
  for (const k of MOSQUITTO_DIFFERENCES) {
    const scenario = scenarios.find((s) => s.id === k.scenario)
    expect(scenario, k.scenario).toBeDefined()
    for (const n of k.steps) expect(scenario?.steps.map((s) => s.index)).toContain(n)
    expect(k.reason.length).toBeGreaterThan(40)
  }
})
