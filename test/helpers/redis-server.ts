import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.ts'

export const REDIS_SERVER = '/usr/bin/redis-server'
const READY_MS = 10_000

/**
 * Whether tests that need redis-server can run. In CI (`CI=true`) a missing
 * redis-server is an error — `.ci/run` must install the Debian redis-server
 * package — so those tests fail there rather than skip; elsewhere they are skipped.
 */
export function redisAvailable(): boolean {
  if (existsSync(REDIS_SERVER)) return true
  if (process.env.CI === 'true') {
    throw new Error(`${REDIS_SERVER} is missing; .ci/run installs the Debian redis-server package`)
  }
  return false
}

export interface RedisServer {
  url: string
  stop(): Promise<void>
}

/**
 * Starts a throwaway redis-server on a free port (no snapshots, no AOF, its
 * own temp dir) and resolves once it accepts connections. One per test file
 * (beforeAll/afterAll) is enough: tests keep apart by key prefix.
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionlab-redis-'))
  // redis-server cannot report a port 0 it picked: take a free port, retry if taken meanwhile
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child.stderr?.resume()
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
    try {
      await ready(child, exited)
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          await stop()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (err) {
      await stop()
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true })
        throw err
      }
    }
  }
}

function ready(child: ChildProcess, exited: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${log}`)), READY_MS)
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited before it was ready:\n${log}`))
    })
  })
}
