import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { type CommandIo, ExitCode } from '../io.ts'
import { MOSQUITTO_DIFFERENCES } from '../scenarios/known-differences.ts'
import { parseScenarioArgs, SCENARIO_USAGE, type ScenarioArgs } from './args.ts'
import { compareReports, type Difference, type KnownDifference } from './compare.ts'
import { LIBRARY_DIR, libraryFiles } from './library.ts'
import { loadScenarioFiles } from './load.ts'
import { formatScenario, idWidth, stepPlace, summaryLine } from './print.ts'
import { formatDifferences, formatVsTable } from './print-vs.ts'
import type { RunReport } from './result.ts'
import { runScenarios } from './run.ts'
import type { Scenario } from './types.ts'

/** `sessionlab scenario run ...`: returns the exit code. Errors with a code are the caller's to print. */
export async function scenarioRunCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseScenarioArgs(argv)
  if (args.help) {
    io.stdout(`${SCENARIO_USAGE}\n`)
    return ExitCode.OK
  }
  const scenarios = await loadScenarioFiles(await scenarioFiles(args))
  const progress = progressLine(io, scenarios.length * (args.vs ? 2 : 1))
  const width = idWidth(scenarios)
  const streamRows = !args.json && args.vs === null
  if (streamRows) io.stdout(`${scenarios.length} scenario(s) against ${args.broker}\n`)
  const run = (broker: string) =>
    runScenarios(scenarios, {
      broker,
      concurrency: args.concurrency,
      onStep: (scenario, step) => progress.step(scenario, stepPlace(step)),
      onScenario: (result) => {
        progress.done()
        if (streamRows) io.stdout(`${formatScenario(result, width)}\n`)
      },
    })
  const reports = await Promise.all([run(args.broker), ...(args.vs ? [run(args.vs)] : [])])
  progress.clear()
  printReports(io, args, reports)
  if (reports.every(unreachable)) return ExitCode.USAGE
  return reports.every((r) => r.passed) ? ExitCode.OK : ExitCode.FAILED
}

function printReports(io: CommandIo, args: ScenarioArgs, reports: RunReport[]): void {
  const [a, b] = reports as [RunReport, RunReport | undefined]
  const differences = b ? compareReports(a, b) : null
  if (args.json) {
    io.stdout(`${JSON.stringify({ runs: reports, differences }, null, 2)}\n`)
    return
  }
  if (b && differences) {
    const listed = formatDifferences(differences, a.broker, b.broker, knownWithMosquitto)
    io.stdout(`${formatVsTable(a, b)}\n\n${listed}\n\n`)
    const width = idWidth(a.results)
    for (const report of reports) {
      const failed = report.results.filter((r) => !r.passed).map((r) => formatScenario(r, width))
      io.stdout([...failed, summaryLine(report), ''].join('\n'))
    }
    return
  }
  io.stdout(`${summaryLine(a)}\n`)
}

/** The known difference with Mosquitto behind a difference in a bundled scenario, if any. */
function knownWithMosquitto(d: Difference): KnownDifference | undefined {
  if (!d.file.startsWith(LIBRARY_DIR)) return undefined
  return MOSQUITTO_DIFFERENCES.find((k) => k.scenario === d.scenario && k.steps.includes(d.step))
}

/** A report whose every scenario stopped at its first step because the broker could not be reached. */
function unreachable(report: RunReport): boolean {
  return report.results.every((r) => r.steps[0]?.error?.code === 'CONNECT_FAILED')
}

/** The files to run: each FILE, every scenario file in each DIR, and the library if asked. */
async function scenarioFiles(args: ScenarioArgs): Promise<string[]> {
  const files: string[] = []
  for (const path of args.paths) {
    const info = await stat(path).catch(() => null)
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter(
        (n) => /\.(ya?ml|json)$/.test(n) && n !== 'schema.json',
      )
      files.push(...names.sort().map((n) => join(path, n)))
    } else {
      files.push(path) // a missing file is reported by the loader, with the others
    }
  }
  return args.library ? [...files, ...libraryFiles()] : files
}

/** `[3/20] scenario: step 4 ...` redrawn on a terminal's stderr; silent elsewhere. */
function progressLine(io: CommandIo, total: number) {
  let finished = 0
  const draw = (text: string) => {
    if (io.stderrIsTTY) io.stderr(`\r\x1b[2K${text.slice(0, 100)}`)
  }
  return {
    step(scenario: Scenario, where: string) {
      draw(`[${finished}/${total}] ${scenario.id}: ${where}`)
    },
    done() {
      finished++
      draw(`[${finished}/${total}]`)
    },
    clear() {
      if (io.stderrIsTTY) io.stderr('\r\x1b[2K')
    },
  }
}
