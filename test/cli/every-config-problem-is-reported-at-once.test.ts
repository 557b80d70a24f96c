import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { tempDir } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'

function refusal(argv: string[], env: Record<string, string>, file: unknown): Error {
  try {
    loadConfig(argv, env, () => JSON.stringify(file))
  } catch (err) {
    expect(err).toMatchObject({ name: 'SessionLabError', code: 'CONFIG_INVALID' })
    return err as Error
  }
  throw new Error('accepted')
}

it('names every bad key, value, flag and variable, one line each, under one CONFIG_INVALID', () => {
  const err = refusal(
    ['--config', 'conf.json', '--store', 'sqlit', '--mqtt-prot', '1', 'start'],
    { SESSIONLAB_WS_PORT: 'eighty' },
    { mqttPort: 70000, colour: 'blue', queueQos0: 'yes', httpPort: 8080 },
  )
  const [first, ...lines] = err.message.split('\n')
  expect(first).toBe('the configuration has 7 problems')
  expect(lines).toHaveLength(7)
  for (const line of lines) expect(line).toMatch(/^ {2}\S/)
  const text = lines.join('\n')
  expect(text).toContain('--mqtt-prot: unknown option; did you mean --mqtt-port?')
  expect(text).toContain('"start": unexpected argument')
  expect(text).toContain('config file conf.json: unknown key "colour"')
  expect(text).toContain(
    'config file conf.json: "mqttPort": expected a port number 0-65535, got 70000',
  )
  expect(text).toContain('config file conf.json: "queueQos0": expected true or false, got "yes"')
  expect(text).toContain(
    'environment SESSIONLAB_WS_PORT: expected a port number 0-65535, got "eighty"',
  )
  expect(text).toContain('--store: expected one of sqlite, memory, redis, got "sqlit"')
})

it('keeps a single problem on one line, as before', () => {
  const err = refusal(['--config', 'conf.json'], {}, { mqttPort: 70000 })
  expect(err.message).not.toContain('\n')
})

it('prints the count with the code on the first line, then a line per problem, and exits 2', async () => {
  const file = join(tempDir(), 'settings.json')
  writeFileSync(file, JSON.stringify({ store: 'memory', mqttPort: 'x', wsPort: -1, colour: 1 }))
  const result = await runCli(['--config', file])
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines[0]).toBe('sessionlab: the configuration has 3 problems [CONFIG_INVALID]')
  expect(lines.slice(1).sort()).toEqual(
    [
      `  config file ${file}: "mqttPort": expected a port number 0-65535, got "x"`,
      `  config file ${file}: "wsPort": expected a port number 0-65535, got -1`,
      `  config file ${file}: unknown key "colour" (the keys are the names --help shows after "key:")`,
    ].sort(),
  )
})
