import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { drain, testBroker } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

const writer = fileURLToPath(new URL('./write-until-killed.ts', import.meta.url))
const ACKS_BEFORE_KILL = 3000

let dir: ReturnType<typeof makeTempDir>

beforeEach(() => {
  dir = makeTempDir()
})
afterEach(() => dir.remove())

it('keeps every write whose promise resolved when the process is killed -9', async () => {
  const file = join(dir.path, 'sessions.db')
  const child = spawn(process.execPath, ['--import', 'tsx', writer, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const acknowledged: number[] = []
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) acknowledged.push(Number(line))
    if (acknowledged.length >= ACKS_BEFORE_KILL) child.kill('SIGKILL')
  })
  const [, signal] = await once(child, 'exit')
  expect(signal).toBe('SIGKILL')

  const store = openSqliteStore({ file })
  await store.setup(testBroker())
  const queued = (await drain(store.outgoingStream({ id: 'alice' }))).map((p) => p.brokerCounter)
  await store.destroy()

  const stored = new Set(queued)
  expect(acknowledged.filter((counter) => !stored.has(counter))).toEqual([])
  expect(queued).toEqual([...queued].sort((a, b) => (a ?? 0) - (b ?? 0)))
}, 60_000)
