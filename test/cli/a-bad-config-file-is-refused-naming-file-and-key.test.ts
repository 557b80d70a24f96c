import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { tempDir } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'

function refusal(text: string | null, file = 'conf/sessionlab.json'): Error & { code?: string } {
  const read = (path: string) => {
    if (text === null || path !== file) throw new Error(`ENOENT: no such file, open '${path}'`)
    return text
  }
  try {
    loadConfig(['--config', file], {}, read)
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error(`${JSON.stringify(text)} was accepted`)
}

it('refuses an unknown key, naming the file and the key', () => {
  const err = refusal(JSON.stringify({ mqttPort: 1883, mqtt_port: 1884 }))
  expect(err.code).toBe('CONFIG_INVALID')
  expect(err.message).toContain('conf/sessionlab.json')
  expect(err.message).toContain('"mqtt_port"')
})

it('refuses a flag spelling used as a key: keys are the camelCase names --help shows', () => {
  const err = refusal(JSON.stringify({ 'mqtt-port': 1884 }))
  expect(err.code).toBe('CONFIG_INVALID')
  expect(err.message).toContain('"mqtt-port"')
})

it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
  'refuses the key "%s", which every object inherits but no setting is called',
  (key) => {
    const err = refusal(`{"${key}": 1}`)
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.message).toContain(`"${key}"`)
  },
)

it('refuses a bad value, naming the file and the key', () => {
  const err = refusal(JSON.stringify({ mqttPort: 70000 }))
  expect(err.code).toBe('CONFIG_INVALID')
  expect(err.message).toContain('conf/sessionlab.json')
  expect(err.message).toContain('"mqttPort"')
  expect(err.message).toContain('70000')
})

it.each([
  ['{"mqttPort": 1883,}', 'a trailing comma'],
  ['mqttPort = 1883', 'TOML'],
  ['', 'an empty file'],
])('refuses %j (%s) as not JSON, naming the file', (text) => {
  const err = refusal(text)
  expect(err.code).toBe('CONFIG_INVALID')
  expect(err.message).toContain('conf/sessionlab.json')
  expect(err.message).toContain('not valid JSON')
})

it.each(['[]', '42', 'null', '"mqttPort"'])(
  'refuses %s, which is not an object of settings',
  (text) => {
    const err = refusal(text)
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.message).toContain('conf/sessionlab.json')
  },
)

it('refuses a file that cannot be read with CONFIG_FILE_UNREADABLE, naming it', () => {
  const err = refusal(null)
  expect(err.code).toBe('CONFIG_FILE_UNREADABLE')
  expect(err.message).toContain('conf/sessionlab.json')
})

it('exits 2 from the real CLI, naming the file and the key', async () => {
  const file = join(tempDir(), 'settings.json')
  writeFileSync(file, JSON.stringify({ store: 'memory', mqttPort: 0, wsPort: 0, colour: 'blue' }))
  const result = await runCli(['--config', file])
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(file)
  expect(result.stderr).toContain('"colour"')
  expect(result.stderr).toContain('[CONFIG_INVALID]')
})

it('exits 2 from the real CLI for a file that is missing, naming it', async () => {
  const file = join(tempDir(), 'missing.json')
  const result = await runCli(['--config', file])
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(file)
  expect(result.stderr).toContain('[CONFIG_FILE_UNREADABLE]')
})
