import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { runCli } from '../helpers/child-broker.ts'

function help(): string {
  const loaded = loadConfig(['--help'])
  if (!('help' in loaded)) throw new Error('expected help')
  return loaded.help
}

it('names scenario and sim, each with a line and how to get its own help, before the options', () => {
  const text = help()
  const scenario = text.split('\n').find((l) => /^\s+scenario\s/.test(l))
  const sim = text.split('\n').find((l) => /^\s+sim\s/.test(l))
  expect(scenario).toContain('sessionlab scenario --help')
  expect(sim).toContain('sessionlab sim --help')
  const options = text.indexOf('\nOptions')
  expect(options).toBeGreaterThan(0)
  expect(text.indexOf(scenario as string)).toBeLessThan(options)
  expect(text.indexOf(sim as string)).toBeLessThan(options)
  expect(text).toMatch(/^\s*-V, --version/m)
})

it('is what the real CLI prints, and the commands it names answer --help', async () => {
  const [broker, scenario, sim] = await Promise.all([
    runCli(['--help']),
    runCli(['scenario', '--help']),
    runCli(['sim', '--help']),
  ])
  expect(broker.stdout).toBe(`${help()}\n`)
  expect(scenario).toMatchObject({
    code: 0,
    stdout: expect.stringContaining('Usage: sessionlab scenario'),
  })
  expect(sim).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: sessionlab sim') })
})
