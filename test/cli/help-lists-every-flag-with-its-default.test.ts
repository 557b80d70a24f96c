import { expect, it } from 'vitest'
import { type Config, fields, loadConfig } from '../../broker/config.ts'
import { runCli } from '../helpers/child-broker.ts'

const keys = Object.keys(fields) as (keyof Config)[]

it('returns help text naming every flag, its default and its config key', () => {
  const loaded = loadConfig(['--help'])
  if (!('help' in loaded)) throw new Error('expected help')
  for (const key of keys) {
    const line = loaded.help
      .split('\n')
      .find((l) => l.trimStart().startsWith(`--${fields[key].flag} `))
    expect(line, `--${fields[key].flag}`).toBeDefined()
    expect(line).toContain(`default: ${fields[key].default}`)
    expect(line).toContain(`key: ${key}`)
  }
  expect(loaded.help).toMatch(/^\s*--config <file>/m)
  expect(loaded.help).toMatch(/^\s*-h, --help/m)
})

it('answers -h like --help', () => {
  expect(loadConfig(['-h'])).toEqual(loadConfig(['--help']))
})

it('prints the help on stdout and exits 0 from the real CLI', async () => {
  const result = await runCli(['--help'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  for (const key of keys) {
    expect(result.stdout).toContain(`--${fields[key].flag} `)
    expect(result.stdout).toContain(`(default: ${fields[key].default}; key: ${key})`)
  }
  expect(result.stdout).toContain('--config <file>')
})
