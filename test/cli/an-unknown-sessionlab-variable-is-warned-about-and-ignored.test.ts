import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { startChildBroker } from '../helpers/child-broker.ts'

function warningsOf(env: Record<string, string>): string[] {
  const loaded = loadConfig([], env)
  if ('help' in loaded) throw new Error('unexpected help')
  return loaded.warnings
}

it('warns about each SESSIONLAB_* variable that names no setting, with the nearest one', () => {
  expect(
    warningsOf({
      SESSIONLAB_MQTT_PROT: '1',
      SESSIONLAB_HOME: '/opt/sessionlab',
      SESSIONLAB_MQTT_PORT: '1884',
      SESSIONLAB_CONFIG_: 'x',
      PATH: '/usr/bin',
    }),
  ).toEqual([
    'SESSIONLAB_CONFIG_ is not a SessionLab setting and is ignored; did you mean SESSIONLAB_CONFIG?',
    'SESSIONLAB_HOME is not a SessionLab setting and is ignored',
    'SESSIONLAB_MQTT_PROT is not a SessionLab setting and is ignored; did you mean SESSIONLAB_MQTT_PORT?',
  ])
})

it('has nothing to say about known variables, SESSIONLAB_CONFIG included, or other prefixes', () => {
  expect(
    warningsOf({
      SESSIONLAB_STORE: 'memory',
      SESSIONLAB_ACL: '',
      SESSIONLAB: '1',
      MY_SESSIONLAB_X: '1',
    }),
  ).toEqual([])
})

it('starts the real broker anyway, with the warning on stderr', async () => {
  const broker = await startChildBroker(
    ['--store', 'memory', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'],
    { env: { SESSIONLAB_MQTT_PROT: '1883' } },
  )
  // it started: both addresses printed; what it said on stderr is read in full once it stopped
  const exit = await broker.kill()
  expect(exit.code).toBe(0)
  expect(exit.stderr).toContain(
    'SESSIONLAB_MQTT_PROT is not a SessionLab setting and is ignored; did you mean SESSIONLAB_MQTT_PORT?',
  )
})
