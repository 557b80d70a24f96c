import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { runClientCommand } from '../../clients/cli.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { captureIo } from './io.ts'

const passing = `name: retained state reaches a late subscriber
steps:
  - connect: { client: pub, clientId: pub }
  - publish: { client: pub, topic: lamp, payload: "on", qos: 1, retain: true }
  - connect: { client: sub, clientId: sub }
  - subscribe: { client: sub, topic: lamp, qos: 1 }
    expect: { granted: [1] }
  - expect-messages:
      client: sub
      messages: [{ topic: lamp, payload: "on", retain: true }]
`

const failing = `name: expects what a broker must not do
timeout: 500
steps:
  - connect: { client: sub, clientId: sub, clean: false }
    expect: { sessionPresent: true }
  - subscribe: { client: sub, topic: t, qos: 2 }
    expect: { granted: [1] }
`

function files() {
  const dir = tempDir()
  const write = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  return { dir, passing: write('passing.yaml', passing), failing: write('failing.yaml', failing) }
}

test('a passing run prints a row per scenario and a summary, and exits 0', async () => {
  const broker = await startBroker()
  const io = captureIo()
  const code = await runClientCommand(
    ['scenario', 'run', files().passing, '--broker', broker.urls.mqtt],
    io,
  )
  expect(io.out).toMatch(/^PASS {2}passing +4\/4 expectations/m)
  expect(io.out).toMatch(
    /1 scenario\(s\) against mqtt:\/\/127\.0\.0\.1:\d+: 1 passed, 0 failed \(4\/4 expectations held\)/,
  )
  expect(code).toBe(0)
})

test('a failed expectation exits 1 and says which step, on which line, saw what', async () => {
  const broker = await startBroker()
  const io = captureIo()
  const { passing: ok, failing: bad } = files()
  const code = await runClientCommand(['scenario', 'run', ok, bad, '--broker', broker.urls.ws], io)
  expect(code).toBe(1)
  expect(io.out).toContain('FAIL  failing')
  expect(io.out).toContain('step 1 (line 4) connect sub: session present 0, expected 1')
  expect(io.out).toContain('step 2 (line 6) subscribe sub: granted [2], expected [1]')
  expect(io.out).toContain('1 passed, 1 failed (5/7 expectations held)')
})

test('--json prints every step with what it observed', async () => {
  const broker = await startBroker()
  const io = captureIo()
  const code = await runClientCommand(
    ['scenario', 'run', files().passing, '--broker', broker.urls.mqtt, '--json'],
    io,
  )
  expect(code).toBe(0)
  const json = JSON.parse(io.out)
  expect(json.differences).toBeNull()
  const [result] = json.runs[0].results
  expect(result).toMatchObject({ id: 'passing', passed: true })
  expect(result.steps[4]).toMatchObject({
    index: 5,
    line: 8,
    action: 'expect-messages',
    observed: { received: [{ topic: 'lamp', payload: 'on', qos: 1, dup: false, retain: true }] },
  })
})

test('a bad scenario file exits 2 naming file, line and step; nothing connects', async () => {
  const { dir } = files()
  const file = join(dir, 'bad.yaml')
  writeFileSync(
    file,
    'name: bad\nsteps:\n  - connect: { client: a, clientId: a, keepalive: "soon" }\n',
  )
  const io = captureIo()
  const code = await runClientCommand(
    ['scenario', 'run', file, '--broker', 'mqtt://127.0.0.1:1'],
    io,
  )
  expect(code).toBe(2)
  expect(io.err).toBe(
    `sessionlab scenario: ${file}:3: step 1: connect.keepalive: must be integer [SCENARIO_INVALID]\n`,
  )
})

test('an unreachable broker exits 2', async () => {
  const io = captureIo()
  const code = await runClientCommand(
    ['scenario', 'run', files().passing, '--broker', 'mqtt://127.0.0.1:1'],
    io,
  )
  expect(code).toBe(2)
  expect(io.out).toMatch(
    /step 1 \(line 3\) connect pub: cannot reach mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED.* \[CONNECT_FAILED\]\n +\(stopped after step 1 of 5\)/,
  )
})
