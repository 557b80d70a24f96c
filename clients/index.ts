/**
 * The typed API under `sessionlab scenario` and `sessionlab sim`: what the
 * CLIs call, and what tests and other tools can call directly.
 */

export { runClientCommand } from './cli.ts'
export { ClientError, type ClientErrorCode, ClientErrorCodes } from './errors.ts'
export { type CommandIo, ExitCode } from './io.ts'
export { PacketClient } from './mqtt/packet-client.ts'
export { type BrokerUrl, parseBrokerUrl } from './mqtt/url.ts'
export { parseScenarioArgs } from './scenario/args.ts'
export {
  type Classified,
  classifyDifferences,
  compareReports,
  type Difference,
  type KnownDifference,
} from './scenario/compare.ts'
export { libraryFiles } from './scenario/library.ts'
export { loadScenarioFile, loadScenarioFiles, parseScenario } from './scenario/load.ts'
export { formatProblem, type Problem, ScenarioFileError } from './scenario/problems.ts'
export type { Observation, RunReport, ScenarioResult, StepResult } from './scenario/result.ts'
export { type RunOptions, runScenario, runScenarios } from './scenario/run.ts'
export type { Scenario, Step } from './scenario/types.ts'
export { MOSQUITTO_DIFFERENCES } from './scenarios/known-differences.ts'
export { percentiles, summarize } from './sim/aggregate.ts'
export { parseSimArgs } from './sim/args.ts'
export { probeSessionApi } from './sim/held.ts'
export { simulate } from './sim/main.ts'
export { formatMarkdown } from './sim/report.ts'
export { runSimulation, type SimOptions } from './sim/run.ts'
export { makeSchedule, predictedLost, type Schedule, type Strategy } from './sim/schedule.ts'
export type { Percentiles, SimReport, StrategySummary } from './sim/summary.ts'
