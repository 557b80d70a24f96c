import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { runClientCommand } from '../../clients/cli.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { captureIo } from './io.ts'

// The library's takeover scenario, with a short wait for the Will that one broker never sends.
const takeover = `name: a takeover publishes the old connection's Will
timeout: 800
steps:
  - connect: { client: watcher, clientId: watcher }
  - subscribe: { client: watcher, topic: lwt/#, qos: 1 }
  - connect:
      client: first
      clientId: dev
      clean: false
      will: { topic: lwt/dev, payload: first-gone, qos: 1 }
  - connect: { client: second, clientId: dev, clean: false }
    expect: { sessionPresent: true }
  - expect-closed: { client: first }
  - expect-messages:
      client: watcher
      messages: [{ topic: lwt/dev, payload: first-gone, qos: 1 }]
`

test('--vs runs against both brokers and lists only the steps where they differ', async () => {
  const file = join(tempDir(), 'takeover.yaml')
  writeFileSync(file, takeover)
  const [spec, quiet] = await Promise.all([
    startBroker({ store: 'memory' }),
    startBroker({ store: 'memory', takeoverWill: 'suppress' }),
  ])
  const io = captureIo()
  const code = await runClientCommand(
    ['scenario', 'run', file, '--broker', spec.urls.mqtt, '--vs', quiet.urls.ws],
    io,
  )
  expect(code).toBe(1) // the second broker failed an expectation
  expect(io.out).toMatch(/^takeover +PASS 6\/6 +FAIL 5\/6$/m)
  expect(io.out).toContain(
    [
      `1 difference(s) between A = ${spec.urls.mqtt} and B = ${quiet.urls.ws}:`,
      '  takeover step 6 (line 14) expect-messages watcher',
      '    A: received lwt/dev "first-gone" q1',
      '    B: received nothing',
    ].join('\n'),
  )

  const json = captureIo()
  await runClientCommand(
    ['scenario', 'run', file, '--broker', spec.urls.mqtt, '--vs', quiet.urls.mqtt, '--json'],
    json,
  )
  const { runs, differences } = JSON.parse(json.out)
  expect(runs.map((r: { passed: boolean }) => r.passed)).toEqual([true, false])
  expect(differences).toMatchObject([{ scenario: 'takeover', step: 6, line: 14 }])
})
