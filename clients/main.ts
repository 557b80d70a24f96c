// Entry of `sessionlab scenario ...` and `sessionlab sim ...` (see bin/sessionlab.js):
// run the command on the real process's arguments and streams, exit with its code.
import { runClientCommand } from './cli.ts'
import { processIo } from './io.ts'

runClientCommand(process.argv.slice(2), processIo).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sessionlab: unexpected failure: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
