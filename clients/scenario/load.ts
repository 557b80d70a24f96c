import { readFile } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { errorMessage } from '../../broker/coded-error.ts'
import { checkOrder } from './check.ts'
import { clientOf, normalizeAction, type RawStep } from './normalize.ts'
import { type Problem, ScenarioFileError } from './problems.ts'
import {
  ACTION_NAMES,
  type ActionName,
  DEFAULT_PROTOCOL,
  DEFAULT_TIMEOUT_MS,
  type Protocol,
  type Scenario,
  type Step,
} from './types.ts'
import { checkHeader, checkStep } from './validate.ts'

/** Reads and checks one scenario file (YAML or JSON); throws {@link ScenarioFileError}. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ScenarioFileError(
      [{ file, line: null, step: null, message: `cannot read: ${errorMessage(err)}` }],
      'SCENARIO_UNREADABLE',
    )
  }
  return parseScenario(text, file)
}

/** Reads every file; reports the problems of all of them at once. */
export async function loadScenarioFiles(files: string[]): Promise<Scenario[]> {
  const settled = await Promise.allSettled(files.map(loadScenarioFile))
  const problems = settled.flatMap((s) =>
    s.status === 'rejected' && s.reason instanceof ScenarioFileError ? s.reason.problems : [],
  )
  const other = settled.find(
    (s) => s.status === 'rejected' && !(s.reason instanceof ScenarioFileError),
  )
  if (other?.status === 'rejected') throw other.reason
  if (problems.length > 0) {
    const unreadable = problems.every((p) => p.line === null)
    throw new ScenarioFileError(problems, unreadable ? 'SCENARIO_UNREADABLE' : 'SCENARIO_INVALID')
  }
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
}

/**
 * Parses a scenario from text (YAML, of which JSON is a subset). Pure apart
 * from the name `file` it reports problems under.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line
  const problem = (line: number | null, step: number | null, message: string): Problem => ({
    file,
    line,
    step,
    message,
  })
  if (doc.errors.length > 0) {
    throw new ScenarioFileError(
      doc.errors.map((e) =>
        problem(lineAt(e.pos[0]), null, `not valid YAML: ${firstLine(e.message)}`),
      ),
      'SCENARIO_INVALID',
    )
  }
  /** The line of the node at `path`, or of its nearest ancestor present in the file. */
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | null
      if (node && typeof node === 'object' && node.range) return lineAt(node.range[0])
    }
    return 1
  }

  const value: unknown = doc.toJS()
  const problems: Problem[] = checkHeader(value).map((i) =>
    problem(lineOf(i.path), null, i.message),
  )
  if (problems.length > 0) throw new ScenarioFileError(problems, 'SCENARIO_INVALID')
  const root = value as {
    name: string
    rule?: string
    timeout?: number
    protocol?: Protocol
    steps: unknown[]
  }
  const timeoutMs = root.timeout ?? DEFAULT_TIMEOUT_MS
  const protocol = root.protocol ?? DEFAULT_PROTOCOL

  const steps: Step[] = []
  root.steps.forEach((raw, i) => {
    const index = i + 1
    const line = lineOf(['steps', i])
    const action = actionOf(raw)
    if (typeof action !== 'string') {
      problems.push(problem(line, index, action.problem))
      return
    }
    const issues = checkStep(action, raw)
    for (const issue of issues) {
      // name the action unless the message starts with it already (`publish.qos: ...`)
      const named = issue.path[0] === action ? issue.message : `${action}: ${issue.message}`
      problems.push(problem(lineOf(['steps', i, ...issue.path]), index, named))
    }
    if (issues.length > 0) return
    const rawStep = raw as RawStep
    const client = clientOf(action, rawStep)
    steps.push({ index, line, client, ...normalizeAction(action, rawStep, timeoutMs, protocol) })
  })
  if (problems.length === 0) {
    for (const issue of checkOrder(steps)) {
      const { action } = issue.step
      const named =
        issue.message.startsWith(`${action}.`) || issue.message.startsWith(`${action}:`)
          ? issue.message
          : `${action}: ${issue.message}`
      problems.push(problem(issue.step.line, issue.step.index, named))
    }
  }
  if (problems.length > 0) throw new ScenarioFileError(problems, 'SCENARIO_INVALID')
  return {
    id: basename(file, extname(file)),
    file,
    name: root.name,
    rule: root.rule ?? null,
    timeoutMs,
    protocol,
    steps,
  }
}

/** The one action key of a step, or why there is not exactly one. */
function actionOf(raw: unknown): ActionName | { problem: string } {
  const known = `one of ${ACTION_NAMES.join(', ')}`
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problem: `a step is a mapping with one action key (${known})` }
  }
  const keys = Object.keys(raw).filter((k) => k !== 'expect')
  const actions = keys.filter((k): k is ActionName => (ACTION_NAMES as string[]).includes(k))
  if (actions.length === 1 && actions[0]) return actions[0]
  if (actions.length > 1) return { problem: `one action per step, found ${actions.join(' and ')}` }
  const [unknown] = keys
  return {
    problem:
      unknown === undefined ? `no action (${known})` : `unknown action "${unknown}" (${known})`,
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
