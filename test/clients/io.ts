import type { CommandIo } from '../../clients/io.ts'

/** A CommandIo that keeps what a command printed. */
export function captureIo(): CommandIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stderrIsTTY: false,
    stdout(text: string) {
      io.out += text
    },
    stderr(text: string) {
      io.err += text
    },
  }
  return io
}
