import { randomInt } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { errorMessage } from '../../broker/coded-error.ts'
import { ClientError } from '../errors.ts'
import { type CommandIo, ExitCode } from '../io.ts'
import { summarize } from './aggregate.ts'
import { parseSimArgs, SIM_USAGE, type SimArgs } from './args.ts'
import { probeSessionApi } from './held.ts'
import { progressBar } from './progress.ts'
import { formatMarkdown, scheduleSummary } from './report.ts'
import { runSimulation } from './run.ts'
import { makeSchedule } from './schedule.ts'
import type { SimReport } from './summary.ts'

/** `sessionlab sim ...`: returns the exit code. */
export async function simCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseSimArgs(argv)
  if (args.help) {
    io.stdout(`${SIM_USAGE}\n`)
    return ExitCode.OK
  }
  const report = await simulate({ ...args, seed: args.seed ?? randomInt(2 ** 32 - 1) }, io)
  const markdown = formatMarkdown(report)
  const json = `${JSON.stringify(report, null, 2)}\n`
  await writeReport(args.reportMd, markdown)
  await writeReport(args.reportJson, json)
  io.stdout(args.json ? json : markdown)
  return ExitCode.OK
}

/** Runs a simulation as the arguments say and returns its report (the typed API under the CLI). */
export async function simulate(
  args: SimArgs & { seed: number },
  io?: CommandIo,
): Promise<SimReport> {
  const schedule = makeSchedule({
    seed: args.seed,
    devices: args.devices,
    messages: args.messages,
    rate: args.rate,
    offlineMeanMs: args.offlineMeanMs,
    onlineMeanMs: args.onlineMeanMs,
  })
  const held = args.api === null ? null : await probeSessionApi(args.api)
  if (held && 'unavailable' in held) io?.stderr(`bytes held left out: ${held.unavailable}\n`)
  const bar = io ? progressBar(io) : null
  const runs = await runSimulation({
    broker: args.broker,
    schedule,
    strategies: args.strategies,
    qos: args.qos,
    payloadBytes: args.payloadBytes,
    settleMs: args.settleMs,
    timeoutMs: 5000,
    heldBytes: held && 'api' in held ? held : null,
    onProgress: (p) => bar?.update(p),
  }).finally(() => bar?.clear())
  return {
    broker: args.broker,
    seed: args.seed,
    devices: args.devices,
    messages: args.messages,
    rate: args.rate,
    qos: args.qos,
    payloadBytes: args.payloadBytes,
    offlineMeanMs: args.offlineMeanMs,
    onlineMeanMs: args.onlineMeanMs,
    schedule: scheduleSummary(schedule),
    heldBytes: held === null ? null : 'api' in held ? { api: held.api } : held,
    strategies: runs.map((run) => summarize(run, schedule, args.qos)),
  }
}

async function writeReport(file: string | null, text: string): Promise<void> {
  if (file === null) return
  try {
    await writeFile(file, text)
  } catch (err) {
    throw new ClientError('REPORT_UNWRITABLE', `${file}: ${errorMessage(err)}`)
  }
}
