import type { Observation, RunReport, StepResult } from './result.ts'
import type { ActionName } from './types.ts'

/** What one broker showed at one step. `null` when the run stopped before the step. */
export interface StepView {
  passed: boolean
  observed: Observation
  error: { code: string; message: string } | null
}

/** A step where two brokers showed different things. */
export interface Difference {
  scenario: string
  file: string
  step: number
  line: number
  action: ActionName
  client: string
  a: StepView | null
  b: StepView | null
}

/** What counts in a comparison: the observation and the error code, never timings or wording. */
function key(view: StepView | null): string {
  return view === null ? 'missing' : JSON.stringify([view.observed, view.error?.code ?? null])
}

function view(step: StepResult | undefined): StepView | null {
  return step ? { passed: step.passed, observed: step.observed, error: step.error } : null
}

/**
 * Every step whose observation differs between two runs of the same
 * scenarios (the same list, in the same order, e.g. from `--vs`). Pure.
 */
export function compareReports(a: RunReport, b: RunReport): Difference[] {
  const out: Difference[] = []
  a.results.forEach((ra, i) => {
    const rb = b.results[i]
    if (rb === undefined || rb.id !== ra.id) {
      throw new Error(`the runs differ in scenarios at position ${i + 1}`)
    }
    const count = Math.max(ra.steps.length, rb.steps.length)
    for (let s = 0; s < count; s++) {
      const sa = ra.steps[s]
      const sb = rb.steps[s]
      const place = (sa ?? sb) as StepResult
      if (key(view(sa)) === key(view(sb))) continue
      out.push({
        scenario: ra.id,
        file: ra.file,
        step: place.index,
        line: place.line,
        action: place.action,
        client: place.client,
        a: view(sa),
        b: view(sb),
      })
    }
  })
  return out
}

/** A difference from another broker that is understood and intended, with why. */
export interface KnownDifference {
  /** The broker it is known for, e.g. `mosquitto 2.0`. */
  broker: string
  scenario: string
  /** Step numbers that differ. */
  steps: number[]
  /**
   * `always`: it shows on every run, and an entry that no longer shows is
   * stale. `timing`: it depends on when the other broker runs a periodic
   * check, so it shows on some runs only.
   */
  occurs: 'always' | 'timing'
  reason: string
}

export interface Classified {
  /** Differences some known entry explains. */
  known: Difference[]
  /** Differences nothing explains: each is a failure. */
  unexpected: Difference[]
  /** `always` entries that did not show: the list is out of date. */
  stale: KnownDifference[]
}

/** Sorts differences into known and unexpected against a list of known ones. Pure. */
export function classifyDifferences(
  differences: Difference[],
  knownList: readonly KnownDifference[],
): Classified {
  const explains = (k: KnownDifference, d: Difference) =>
    k.scenario === d.scenario && k.steps.includes(d.step)
  const known = differences.filter((d) => knownList.some((k) => explains(k, d)))
  const unexpected = differences.filter((d) => !knownList.some((k) => explains(k, d)))
  const stale = knownList.filter(
    (k) => k.occurs === 'always' && !differences.some((d) => explains(k, d)),
  )
  return { known, unexpected, stale }
}
