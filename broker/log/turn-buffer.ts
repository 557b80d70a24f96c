import type { LineSink } from './logger.ts'

/**
 * Gathers the lines of one turn of the event loop and writes them to `out`
 * in one call: a broker at `info` writes a line per connect and disconnect,
 * and a write per line was a syscall per line (persistent session creation:
 * 6% of the broker's CPU; bench/RESULTS.md). What is pending is written when
 * the process exits, so a fatal error's line is not lost; a kill -9 loses at
 * most the lines of the turn it lands in.
 */
export class TurnBuffer implements LineSink {
  readonly #out: LineSink
  #lines: string[] = []
  #scheduled = false

  constructor(out: LineSink) {
    this.#out = out
    process.on('exit', this.flush)
  }

  write(line: string): void {
    this.#lines.push(line)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(this.flush)
  }

  /** Writes what is pending now. */
  readonly flush = (): void => {
    this.#scheduled = false
    if (this.#lines.length === 0) return
    const text = this.#lines.length === 1 ? this.#lines[0] : this.#lines.join('')
    this.#lines = []
    this.#out.write(text)
  }
}
