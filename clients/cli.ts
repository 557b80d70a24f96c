import { isClientError } from './errors.ts'
import { type CommandIo, ExitCode } from './io.ts'
import { SCENARIO_USAGE } from './scenario/args.ts'
import { scenarioRunCommand } from './scenario/main.ts'
import { SIM_USAGE } from './sim/args.ts'
import { simCommand } from './sim/main.ts'

/**
 * `sessionlab scenario run ...` and `sessionlab sim ...` (bin/sessionlab.js
 * hands these two words here instead of starting the broker). Returns the
 * exit code; a coded error is printed as `sessionlab COMMAND: message [CODE]`
 * and exits 2: the command could not run.
 */
export async function runClientCommand(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === 'scenario') {
      const [sub, ...args] = rest
      if (sub === 'run') return await scenarioRunCommand(args, io)
      const asked = sub === undefined || sub === '--help' || sub === '-h'
      io[asked ? 'stdout' : 'stderr'](
        `${asked ? '' : `sessionlab scenario: unknown subcommand "${sub}"\n`}${SCENARIO_USAGE}\n`,
      )
      return asked ? ExitCode.OK : ExitCode.USAGE
    }
    if (command === 'sim') return await simCommand(rest, io)
    io.stderr(`sessionlab: unknown command "${command}"\n`)
    return ExitCode.USAGE
  } catch (err) {
    if (!isClientError(err)) throw err
    io.stderr(`sessionlab ${command}: ${err.message} [${err.code}]\n`)
    if (err.code === 'USAGE') io.stderr(`\n${command === 'sim' ? SIM_USAGE : SCENARIO_USAGE}\n`)
    return ExitCode.USAGE
  }
}
