import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { freePort } from '../helpers/free-port.ts'

export const MOSQUITTO = '/usr/sbin/mosquitto'
const READY_MS = 10_000

/**
 * Whether tests that need Mosquitto can run. In CI (`CI=true`) a missing
 * Mosquitto is an error — `.ci/run` installs it — so those tests fail there
 * rather than skip; elsewhere they are skipped.
 */
export function mosquittoAvailable(): boolean {
  if (existsSync(MOSQUITTO)) return true
  if (process.env.CI === 'true') {
    throw new Error(`${MOSQUITTO} is missing; .ci/run installs the Debian mosquitto package`)
  }
  return false
}

/**
 * Starts Mosquitto for the current test on a free port (anonymous, no
 * persistence) and resolves with its `mqtt://` URL once it logs that it runs.
 * Stopped with SIGTERM when the test ends.
 */
export async function startMosquitto(): Promise<string> {
  const dir = tempDir('sessionlab-mosquitto-')
  // Mosquitto cannot listen on port 0: take a free port and retry if it is taken meanwhile
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(
      conf,
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'log_dest stderr', ''].join('\n'),
    )
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    onTestFinished(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    })
    try {
      await ready(child, exited)
      return `mqtt://127.0.0.1:${port}`
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
}

function ready(child: ChildProcess, exited: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => reject(new Error(`mosquitto not ready:\n${log}`)), READY_MS)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
      if (/mosquitto version \S+ running/.test(log)) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`mosquitto exited before it was ready:\n${log}`))
    })
  })
}
