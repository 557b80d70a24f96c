import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { tempDir } from './broker.ts'

const BIN = fileURLToPath(new URL('../../bin/sessionlab.js', import.meta.url))
// Generous: a child pays for Node start-up and tsx compiling the sources, on
// a loaded two-core machine. Only a broken start-up ever waits this long.
const READY_MS = 20_000

/** How a CLI child ended, with everything it printed. */
export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A broker running as `node bin/sessionlab.js`, up and listening. */
export interface ChildBroker {
  mqttUrl: string
  wsUrl: string
  /** Everything printed to stdout so far. */
  stdout(): string
  /** Resolves with the match once stdout matches `pattern`; rejects if the child exits first. */
  printed(pattern: RegExp): Promise<RegExpExecArray>
  /** Sends a signal (SIGTERM by default) and resolves once the child exited. */
  kill(signal?: NodeJS.Signals): Promise<ChildExit>
  /** Sends a signal the broker handles and keeps running through (SIGHUP). */
  signal(signal: NodeJS.Signals): void
  exited: Promise<ChildExit>
}

/** The environment minus SESSIONLAB_* variables, so the developer's own settings do not leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('SESSIONLAB_')) env[name] = value
  }
  return { ...env, ...extra }
}

interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<ChildExit>
}

/**
 * A fresh working directory for one child: a broker started without
 * `--data-dir` writes `./data` there, never into the checkout (where a
 * developer's own broker may hold it).
 */
function ownDir(): string {
  return tempDir('sessionlab-cwd-')
}

function spawnCli(args: string[], env: Record<string, string>, cwd: string): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  // 'close' (not 'exit') so that both pipes are fully read
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

/**
 * Runs the CLI to completion (for `--help` and refused start-ups). A child
 * that starts listening instead is killed when the test ends.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ChildExit> {
  return spawnCli(args, options.env ?? {}, options.cwd ?? ownDir()).exited
}

/**
 * Starts `bin/sessionlab.js` with `args` and resolves once it printed both
 * listener addresses; rejects with its stderr if it exits first. Killed
 * (SIGKILL) when the test ends if still running.
 */
export async function startChildBroker(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ChildBroker> {
  const spawned = spawnCli(args, options.env ?? {}, options.cwd ?? ownDir())
  const { child, exited } = spawned

  const urls = await new Promise<{ mqttUrl: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`broker not ready within ${READY_MS} ms; stderr:\n${spawned.stderr()}`))
    }, READY_MS)
    const check = () => {
      // whole lines only: a chunk may end in the middle of an address
      const mqtt = /\b(mqtt:\/\/\S+)\n/.exec(spawned.stdout())
      const ws = /\b(ws:\/\/\S+)\n/.exec(spawned.stdout())
      if (mqtt?.[1] && ws?.[1]) {
        cleanup()
        resolve({ mqttUrl: mqtt[1], wsUrl: ws[1] })
      }
    }
    const onExit = (result: ChildExit) => {
      cleanup()
      reject(
        new Error(
          `broker exited before it was ready (code ${result.code}, signal ${result.signal}); stderr:\n${result.stderr}`,
        ),
      )
    }
    let done = false
    const cleanup = () => {
      done = true
      clearTimeout(timer)
      child.stdout?.off('data', check)
    }
    child.stdout?.on('data', check)
    exited.then((result) => {
      if (!done) onExit(result)
    })
  })

  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(spawned.stdout())
        if (match) {
          child.stdout?.off('data', check)
          resolve(match)
        }
      }
      child.stdout?.on('data', check)
      check()
      exited.then(() => {
        check()
        reject(new Error(`the broker exited without printing ${pattern}:\n${spawned.stdout()}`))
      })
    })

  return {
    ...urls,
    stdout: spawned.stdout,
    printed,
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal)
      return exited
    },
    signal(signal: NodeJS.Signals) {
      child.kill(signal)
    },
  }
}

/** The flags of a broker keeping its files in `dataDir`, every port picked free (TLS ones too). */
export function freePortArgs(dataDir: string): string[] {
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  return ['--data-dir', dataDir, ...ports, '--mqtts-port', '0', '--wss-port', '0']
}

/** The flags of a broker on the SQLite store in `dataDir`, every port picked free. */
export function sqliteArgs(dataDir: string): string[] {
  return ['--store', 'sqlite', ...freePortArgs(dataDir)]
}
