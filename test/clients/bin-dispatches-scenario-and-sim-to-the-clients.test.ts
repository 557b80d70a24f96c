import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { runClientCommand } from '../../clients/cli.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'
import { captureIo } from './io.ts'

test('`sessionlab scenario run` and `sessionlab sim` run the client tools, not the broker', async () => {
  const broker = await startBroker({ store: 'memory' })
  const file = join(tempDir(), 'hello.yaml')
  writeFileSync(file, 'name: hello\nsteps:\n  - connect: { client: a, clientId: a }\n')
  const [scenario, sim] = await Promise.all([
    runCli(['scenario', 'run', file, '--broker', broker.urls.mqtt]),
    runCli(['sim', '--help']),
  ])
  expect(scenario.stdout).toMatch(/^PASS {2}hello +1\/1 expectations/m)
  expect(scenario.code).toBe(0)
  expect(sim.stdout).toMatch(/^Usage: sessionlab sim --broker URL/)
  expect(sim.code).toBe(0)
})

test('an unknown subcommand or a bad flag exits 2 with the usage', async () => {
  const unknown = captureIo()
  expect(await runClientCommand(['scenario', 'replay'], unknown)).toBe(2)
  expect(unknown.err).toMatch(
    /^sessionlab scenario: unknown subcommand "replay"\nUsage: sessionlab scenario run/,
  )
  const bad = captureIo()
  expect(await runClientCommand(['sim', '--broker', 'mqtt://h', '--qos', '5'], bad)).toBe(2)
  expect(bad.err).toMatch(
    /^sessionlab sim: --qos: expected a number 0-2, got "5" \[USAGE\]\n\nUsage: sessionlab sim/,
  )
})
