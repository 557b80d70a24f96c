import { execFileSync } from 'node:child_process'
import { expect, test } from 'vitest'
import { TurnBuffer } from '../../broker/log/turn-buffer.ts'

test('the lines of one turn of the event loop reach the output in one write, in order', async () => {
  const writes: string[] = []
  const buffer = new TurnBuffer({ write: (text: string) => writes.push(text) })
  buffer.write('a\n')
  buffer.write('b\n')
  expect(writes).toEqual([])
  await new Promise((resolve) => setImmediate(resolve))
  buffer.write('c\n')
  await new Promise((resolve) => setImmediate(resolve))
  expect(writes).toEqual(['a\nb\n', 'c\n'])
})

test('lines still pending when the process exits are written before it ends', () => {
  const script = [
    "import { TurnBuffer } from './broker/log/turn-buffer.ts'",
    'const out = new TurnBuffer(process.stdout)',
    "out.write('first\\n')",
    "out.write('last before exit\\n')",
    'process.exit(3)',
  ].join('\n')
  let stdout = ''
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    })
  } catch (err) {
    const failed = err as { status: number; stdout: string }
    expect(failed.status).toBe(3)
    stdout = failed.stdout
  }
  expect(stdout).toBe('first\nlast before exit\n')
})
