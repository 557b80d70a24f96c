import { ClientError } from '../errors.ts'

/** One thing wrong with a scenario file, placed as precisely as the file allows. */
export interface Problem {
  file: string
  /** 1-based; null when the whole file is at fault (e.g. unreadable). */
  line: number | null
  /** 1-based step number; null for problems outside `steps`. */
  step: number | null
  message: string
}

/** `file:line: step N: message`, the form editors and terminals link. */
export function formatProblem(p: Problem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}`
  return `${where}: ${p.step === null ? '' : `step ${p.step}: `}${p.message}`
}

/** A scenario file that cannot be run, with every problem found in it. */
export class ScenarioFileError extends ClientError {
  readonly problems: Problem[]

  constructor(problems: Problem[], code: 'SCENARIO_INVALID' | 'SCENARIO_UNREADABLE') {
    super(code, problems.map(formatProblem).join('\n'))
    this.name = 'ScenarioFileError'
    this.problems = problems
  }
}
