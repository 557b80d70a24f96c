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
