import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { runCli } from '../helpers/child-broker.ts'

function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env)
  } catch (err) {
    expect(err).toMatchObject({ name: 'SessionLabError', code: 'CONFIG_INVALID' })
    return (err as Error).message
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`)
}

it.each([
  ['--mqtt-port', '70000'],
  ['--mqtt-port', '65536'],
  ['--ws-port', '-1'],
  ['--http-port', 'eighty'],
  ['--mqtt-port', '1e3'],
  ['--mqtt-port', '0x50'],
  ['--mqtt-port', '80.5'],
  ['--mqtt-port', ''],
  ['--store', 'redis-ish'],
  ['--store', 'SQLITE'],
  ['--sqlite-sync', 'off'],
  ['--takeover-will', 'maybe'],
  ['--max-keepalive', '65536'],
  ['--max-client-id-length', '22'],
  ['--max-pending-deliveries', '-1'],
  ['--max-pending-bytes', '-1'],
  ['--reader-stall-ms', '5'],
  ['--host', ''],
  ['--data-dir', ''],
  ['--redis-url', 'http://127.0.0.1:6379'],
  ['--redis-url', 'localhost:6379'],
  ['--broker-id', 'node/a'],
  ['--broker-id', 'node #1'],
  ['--broker-id', 'node:a'],
  ['--node-timeout', '0'],
])('refuses %s %j naming the flag and the value', (flag, value) => {
  const message = refusal([`${flag}=${value}`])
  expect(message).toContain(flag)
  expect(message).toContain(`"${value}"`)
})

it('refuses a flag given without its value, naming it', () => {
  expect(refusal(['--mqtt-port'])).toContain('--mqtt-port')
})

it('names the variable when the environment holds the bad value', () => {
  expect(refusal([], { SESSIONLAB_MQTT_PORT: '70000' })).toContain('SESSIONLAB_MQTT_PORT')
  expect(refusal([], { SESSIONLAB_STORE: 'redis-ish' })).toContain('SESSIONLAB_STORE')
})

it('does not blame a bad variable that a flag overrides', () => {
  const loaded = loadConfig(['--mqtt-port', '1884'], { SESSIONLAB_MQTT_PORT: 'nope' })
  expect(loaded).toMatchObject({ config: { mqttPort: 1884 } })
})

it.each([
  [['--mqtt-port', '70000'], '--mqtt-port'],
  [['--store', 'redis-ish'], '--store'],
  [['--ws-port', 'abc'], '--ws-port'],
])('exits 2 from the real CLI for %j, naming %s', async (argv, flag) => {
  // safe settings first: the flag under test comes last and wins
  const safe = ['--store', 'memory', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const result = await runCli([...safe, ...argv])
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(flag)
  expect(result.stderr).toContain('[CONFIG_INVALID]')
})
