import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { runCli } from '../helpers/child-broker.ts'

it.each([
  [['--mqtt-prot', '1883'], '--mqtt-prot'],
  [['--verbose'], '--verbose'],
  [['-x'], '-x'],
  [['start'], 'start'],
])('refuses %j with CONFIG_INVALID naming %s', (argv, name) => {
  expect(() => loadConfig(argv)).toThrow(
    expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }),
  )
})

it('exits 2 with the flag and the code on stderr, printing nothing on stdout', async () => {
  const result = await runCli(['--mqtt-prot', '0'])
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^sessionlab: .*--mqtt-prot.* \[CONFIG_INVALID\]\n$/)
})

function messageOf(argv: string[]): string {
  try {
    loadConfig(argv)
  } catch (err) {
    return (err as Error).message
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`)
}

it.each([
  [['--mqtt-prot', '1883'], '--mqtt-port'],
  [['--stor', 'memory'], '--store'],
  [['--sys-intervall=5'], '--sys-interval'],
  [['--hlep'], '--help'],
  [['--verison'], '--version'],
  [['-v'], '-V'],
  [['scenarios'], 'sessionlab scenario'],
])('adds "did you mean" to %j: %s', (argv, near) => {
  expect(messageOf(argv)).toContain(`did you mean ${near}?`)
})

it.each([[['--verbose']], [['-x']], [['--colour', 'blue']], [['start']]])(
  'suggests nothing for %j, which is near no flag',
  (argv) => {
    expect(messageOf(argv)).not.toContain('did you mean')
  },
)

it('takes the word after an unknown flag as its value, not as a second mistake', () => {
  expect(messageOf(['--mqtt-prot', '1883'])).toBe(
    '--mqtt-prot: unknown option; did you mean --mqtt-port?',
  )
})

it('prints the hint in the one-line message of the real CLI', async () => {
  const result = await runCli(['--mqtt-prot', '0'])
  expect(result.code).toBe(2)
  expect(result.stderr).toBe(
    'sessionlab: --mqtt-prot: unknown option; did you mean --mqtt-port? [CONFIG_INVALID]\n',
  )
})
