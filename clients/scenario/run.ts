import { errorMessage } from '../../broker/coded-error.ts'
import { ClientError } from '../errors.ts'
import { type BrokerUrl, parseBrokerUrl } from '../mqtt/url.ts'
import { removeLeftovers } from './leftovers.ts'
import { Namespace } from './namespace.ts'
import type { RunReport, ScenarioResult, StepResult } from './result.ts'
import { executeStep, type ScenarioContext } from './steps/index.ts'
import type { Scenario, Step } from './types.ts'

export interface RunOptions {
  /** `mqtt://host:port` or `ws://host:port/path`. */
  broker: string
  /** Scenarios run at the same time (each in its own namespace); 1 by default. */
  concurrency?: number
  /** Called as each step ends, e.g. to show progress. */
  onStep?: (scenario: Scenario, result: StepResult) => void
  /** Called as each scenario ends. */
  onScenario?: (result: ScenarioResult) => void
}

/** Runs scenarios against one broker; results keep the order of `scenarios`. */
export async function runScenarios(scenarios: Scenario[], options: RunOptions): Promise<RunReport> {
  const url = parseBrokerUrl(options.broker)
  const results: ScenarioResult[] = new Array(scenarios.length)
  let next = 0
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++
      const scenario = scenarios[i] as Scenario
      results[i] = await runOne(scenario, url, options)
      options.onScenario?.(results[i])
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, scenarios.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return { broker: url.href, passed: results.every((r) => r.passed), results }
}

/** Runs one scenario against one broker. */
export function runScenario(
  scenario: Scenario,
  options: Omit<RunOptions, 'concurrency' | 'onScenario'>,
): Promise<ScenarioResult> {
  return runOne(scenario, parseBrokerUrl(options.broker), options)
}

async function runOne(
  scenario: Scenario,
  url: BrokerUrl,
  options: Pick<RunOptions, 'onStep'>,
): Promise<ScenarioResult> {
  const started = performance.now()
  const ctx: ScenarioContext = {
    url,
    ns: new Namespace(),
    clients: new Map(),
    savedIds: new Map(),
    leftovers: { sessions: new Set(), retained: new Set() },
    timeoutMs: scenario.timeoutMs,
  }
  const steps: StepResult[] = []
  try {
    for (const step of scenario.steps) {
      const result = await runStep(ctx, step)
      steps.push(result)
      options.onStep?.(scenario, result)
      // an unreachable broker fails every later step the same way: stop here
      if (result.error?.code === 'CONNECT_FAILED') break
    }
  } finally {
    await removeLeftovers(ctx)
    for (const client of ctx.clients.values())
      if (!client.closed) await client.destroy().catch(() => {})
  }
  // a step that could not be carried out counts as one failed expectation
  const checked = steps.reduce((n, s) => n + s.expectations + (s.error ? 1 : 0), 0)
  const failed = steps.reduce(
    (n, s) => n + Math.min(s.failures.length, s.expectations) + (s.error ? 1 : 0),
    0,
  )
  return {
    id: scenario.id,
    file: scenario.file,
    name: scenario.name,
    rule: scenario.rule,
    broker: url.href,
    passed: steps.length === scenario.steps.length && steps.every((s) => s.passed),
    expectations: { checked, failed },
    stepCount: scenario.steps.length,
    steps,
    durationMs: Math.round(performance.now() - started),
  }
}

async function runStep(ctx: ScenarioContext, step: Step): Promise<StepResult> {
  const started = performance.now()
  const base = { index: step.index, line: step.line, action: step.action, client: step.client }
  try {
    const outcome = await executeStep(ctx, step)
    return {
      ...base,
      ...outcome,
      passed: outcome.failures.length === 0,
      error: null,
      durationMs: Math.round(performance.now() - started),
    }
  } catch (err) {
    const code = err instanceof ClientError ? err.code : 'UNEXPECTED'
    return {
      ...base,
      passed: false,
      expectations: 0,
      failures: [],
      observed: {},
      error: { code, message: errorMessage(err) },
      durationMs: Math.round(performance.now() - started),
    }
  }
}
