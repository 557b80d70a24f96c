import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'

function refusal(settings: Record<string, unknown>): string {
  const read = () => JSON.stringify(settings)
  try {
    loadConfig(['--config', 'sessionlab.json'], {}, read)
  } catch (err) {
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' })
    return (err as Error).message
  }
  throw new Error(`${JSON.stringify(settings)} was accepted`)
}

it.each([
  ['mqtt_port', 'mqttPort'],
  ['mqtt-port', 'mqttPort'],
  ['queueMaxMessage', 'queueMaxMessages'],
  ['sysinterval', 'sysInterval'],
])('suggests the key nearest "%s": "%s"', (key, near) => {
  expect(refusal({ [key]: 1 })).toBe(
    `config file sessionlab.json: unknown key "${key}"; did you mean "${near}"?`,
  )
})

it('points to --help when no key is near', () => {
  expect(refusal({ colour: 'blue' })).toBe(
    'config file sessionlab.json: unknown key "colour" (the keys are the names --help shows after "key:")',
  )
})
