/** Where a command writes; the real process's streams, or strings in tests. */
export interface CommandIo {
  stdout(text: string): void
  stderr(text: string): void
  /** Whether stderr is a terminal: progress lines that redraw themselves only go there. */
  stderrIsTTY: boolean
}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
}

/** Exit codes of every client command. */
export const ExitCode = {
  /** Everything held. */
  OK: 0,
  /** It ran, and an expectation did not hold. */
  FAILED: 1,
  /** It could not run: bad arguments, a bad scenario file, an unreachable broker. */
  USAGE: 2,
} as const
