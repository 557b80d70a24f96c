import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connectAsync } from 'mqtt'
import { expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { freePortArgs, startChildBroker } from '../helpers/child-broker.ts'

const BIN = fileURLToPath(new URL('../../bin/sessionlab.js', import.meta.url))
const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`

test('as text: the start-up lines and each client event are one timestamped line with its level', async () => {
  const broker = await startChildBroker(['--store', 'memory', ...freePortArgs(tempDir())])
  const client = await connectAsync(broker.mqttUrl, { clientId: 'dev1', reconnectPeriod: 0 })
  await broker.printed(/client dev1 connected/)
  await client.endAsync()
  await broker.printed(/client dev1 disconnected/)

  const exit = await broker.kill('SIGTERM')
  const lines = exit.stdout.trimEnd().split('\n')
  for (const line of lines) expect(line).toMatch(new RegExp(`^${TIME} (info |debug) `))
  expect(lines).toContainEqual(
    expect.stringMatching(/ info {2}sessionlab ready \(store: memory\)$/),
  )
  expect(lines).toContainEqual(
    expect.stringMatching(/ info {2}client dev1 connected from 127\.0\.0\.1:\d+ \(clean=1, /),
  )
  expect(lines.at(-1)).toMatch(/ info {2}stopped$/)
  expect(exit.stderr).toBe('')
})

test('as JSON: every line the CLI writes is one JSON object, start-up and shutdown included', async () => {
  // without the developer's own SESSIONLAB_* settings
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('SESSIONLAB_')),
  )
  const child = spawn(
    process.execPath,
    [BIN, '--store', 'memory', ...freePortArgs(tempDir()), '--log-format', 'json'],
    { cwd: tempDir('sessionlab-cwd-'), env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const wake of waiters) wake()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  type Logged = { level: string; msg: string; event?: string }
  // whole lines only: a chunk may end inside one
  const objects = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Logged)
  const printed = (test: (o: Logged) => boolean) =>
    new Promise<Logged>((resolve, reject) => {
      const check = () => {
        const found = objects().find(test)
        if (!found) return
        waiters.delete(check)
        resolve(found)
      }
      waiters.add(check)
      check()
      exited.then(() => reject(new Error(`exited first; stderr:\n${stderr}`)))
    })

  try {
    const tcp = await printed((o) => o.msg.includes('MQTT over TCP'))
    const url = /mqtt:\/\/\S+/.exec(tcp.msg)?.[0] ?? ''
    const client = await connectAsync(url, { clientId: 'dev1', reconnectPeriod: 0 })
    const connected = await printed((o) => o.event === 'connect')
    await client.endAsync()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)

    expect(connected).toMatchObject({ level: 'info', clientId: 'dev1', clean: true })
    expect(objects().at(-1)).toMatchObject({ level: 'info', msg: 'stopped' })
    expect(objects().map((o) => o.msg)).toContain('sessionlab ready (store: memory)')
    expect(stderr).toBe('')
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
