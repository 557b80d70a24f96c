import type { RunReport, ScenarioResult, StepResult } from './result.ts'

/** `step 7 (line 19) expect-nothing sub`: where a step is, for people. */
export function stepPlace(step: Pick<StepResult, 'index' | 'line' | 'action' | 'client'>): string {
  return `step ${step.index} (line ${step.line}) ${step.action} ${step.client}`
}

/** Why a step failed, one line per failed expectation. */
export function stepFailures(step: StepResult): string[] {
  const lines = step.error ? [`${step.error.message} [${step.error.code}]`] : []
  return [...lines, ...step.failures]
}

/** One row of the results table, then one indented line per failure. */
export function formatScenario(result: ScenarioResult, idWidth = 0): string {
  const { checked, failed } = result.expectations
  const row = [
    result.passed ? 'PASS' : 'FAIL',
    result.id.padEnd(idWidth),
    `${checked - failed}/${checked} expectations`.padStart(18),
    `${result.durationMs} ms`.padStart(8),
  ].join('  ')
  const details = result.steps
    .filter((s) => !s.passed)
    .flatMap((s) => stepFailures(s).map((why) => `      ${stepPlace(s)}: ${why}`))
  const stopped =
    result.steps.length < result.stepCount
      ? [`      (stopped after step ${result.steps.length} of ${result.stepCount})`]
      : []
  return [row, ...details, ...stopped].join('\n')
}

export function summaryLine(report: RunReport): string {
  const passed = report.results.filter((r) => r.passed).length
  const checked = report.results.reduce((n, r) => n + r.expectations.checked, 0)
  const failed = report.results.reduce((n, r) => n + r.expectations.failed, 0)
  return (
    `${report.results.length} scenario(s) against ${report.broker}: ${passed} passed, ` +
    `${report.results.length - passed} failed (${checked - failed}/${checked} expectations held)`
  )
}

export function idWidth(results: { id: string }[]): number {
  return Math.max(0, ...results.map((r) => r.id.length))
}

/** The whole table, as printed after a run. */
export function formatReport(report: RunReport): string {
  const width = idWidth(report.results)
  return [...report.results.map((r) => formatScenario(r, width)), summaryLine(report)].join('\n')
}
