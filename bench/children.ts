import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Everything the harness starts (broker and generator processes, temp dirs) is registered here
 * and torn down when the harness exits, however it exits: normal end, thrown error, Ctrl-C.
 */
const liveChildren = new Set<ChildProcess>()
const liveDirs = new Set<string>()
let hooked = false

function tearDownNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL')
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true })
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  // 'exit' listeners must be synchronous: SIGKILL and rmSync are.
  process.on('exit', tearDownNow)
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const) {
    process.once(signal, () => process.exit(128 + number))
  }
}

/** Registers a child process so that it never outlives the harness. */
export function track<C extends ChildProcess>(child: C): C {
  hookExit()
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  return child
}

/** A fresh directory under the OS temp dir, removed by {@link removeTempDir} or at exit. */
export function makeTempDir(prefix: string): string {
  hookExit()
  const dir = mkdtempSync(join(tmpdir(), `sessionlab-bench-${prefix}-`))
  liveDirs.add(dir)
  return dir
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  liveDirs.delete(dir)
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child process whose output is kept (the tail) and whose lines can be watched. */
export interface ManagedProcess {
  readonly pid: number | undefined
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>
  /** The last lines of stdout and stderr, for error messages. */
  tail(): string
  /** Calls `listener` with every complete output line, stdout and stderr alike. */
  onLine(listener: (line: string) => void): void
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<ExitInfo>
}

const TAIL_LINES = 40

/**
 * Spawns `command`, draining its output so a chatty broker never blocks on a full pipe; `env`
 * is added to this process's environment.
 */
export function startProcess(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): ManagedProcess {
  const child = track(
    spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  )
  const lines: string[] = []
  const listeners: Array<(line: string) => void> = []
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', (err) => {
      lines.push(`spawn failed: ${err.message}`)
      resolve({ code: null, signal: null })
    })
  })
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        if (lines.length > TAIL_LINES) lines.shift()
        for (const listener of listeners) listener(line)
      }
    })
  }
  return {
    pid: child.pid,
    exited,
    tail: () => lines.join('\n'),
    onLine: (listener) => {
      listeners.push(listener)
    },
    stop: async (graceMs = 5_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const info = await exited
      clearTimeout(timer)
      return info
    },
  }
}
