import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, redisAvailable, startRedis } from '../helpers/redis-server.ts'

const runner = fileURLToPath(new URL('./abstract-runner.ts', import.meta.url))

interface SuiteRun {
  code: number | null
  output: string
}

/** Runs aedes' contract suite against one store in a child node:test process. */
function runAbstractSuite(
  store: 'memory' | 'sqlite' | 'redis',
  env: Record<string, string> = {},
): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', runner],
      {
        env: { ...process.env, ...env, SESSIONLAB_STORE: store },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

/** A `# name N` line of the TAP summary. */
function summaryCount(output: string, name: string): number {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)
  if (!match) throw new Error(`no "# ${name}" line in the TAP output:\n${output}`)
  return Number(match[1])
}

function expectAllPassed({ code, output }: SuiteRun): void {
  const failed = output.split('\n').filter((line) => line.startsWith('not ok'))
  expect(failed, output).toEqual([])
  expect(summaryCount(output, 'fail')).toBe(0)
  expect(summaryCount(output, 'pass')).toBeGreaterThanOrEqual(45)
  expect(code, output).toBe(0)
}

describe.each(['memory', 'sqlite'] as const)('the %s store', (store) => {
  it('passes aedes-persistence abstract.js', { timeout: 120_000 }, async () => {
    expectAllPassed(await runAbstractSuite(store))
  })
})

describe.runIf(redisAvailable())('the redis store', () => {
  let redis: RedisServer | undefined
  beforeAll(async () => {
    redis = await startRedis()
  }, 20_000)
  afterAll(() => redis?.stop())

  it('passes aedes-persistence abstract.js', { timeout: 120_000 }, async () => {
    const url = redis?.url ?? ''
    expectAllPassed(await runAbstractSuite('redis', { SESSIONLAB_REDIS_URL: url }))
  })
})
