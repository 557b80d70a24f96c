import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { LOG_TIME_TEXT, startLoggedBroker } from './logged-broker.ts'

const ADDRESS = String.raw`127\.0\.0\.1:\d+`

test('as text: one Mosquitto-like line per connect, with address, clean, session present, keepalive and protocol', async () => {
  const { broker, log } = await startLoggedBroker()
  const first = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
    keepalive: 60,
  })
  await first.client.disconnect()
  await log.line(/dev1 disconnected/)
  await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
    keepalive: 60,
    protocolVersion: 3,
    username: 'alice',
  })

  const connects = await Promise.all([log.line(/session present=0/), log.line(/session present=1/)])
  expect(connects.map((w) => w.stream)).toEqual(['stdout', 'stdout'])
  expect(connects[0].line).toMatch(
    new RegExp(
      `^${LOG_TIME_TEXT} info  client dev1 connected from ${ADDRESS} \\(clean=0, session present=0, keepalive 60s, MQTT 3\\.1\\.1\\)\\n$`,
    ),
  )
  expect(connects[1].line).toMatch(
    /client dev1 connected from .* \(clean=0, session present=1, keepalive 60s, MQTT 3\.1, user alice\)\n$/,
  )
  const disconnect = await log.line(/dev1 disconnected/)
  expect(disconnect.line).toBe(
    `${LOG_TIME_TEXT} info  client dev1 disconnected (client): it sent DISCONNECT\n`,
  )
})

test('as JSON: one pino object per line, with the event and its fields', async () => {
  const { broker, log } = await startLoggedBroker({}, { format: 'json' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1', keepalive: 30 })

  const connect = await log.json({ event: 'connect' })
  expect(connect).toEqual({
    level: 'info',
    time: '2026-12-04T17:25:21.123Z',
    event: 'connect',
    clientId: 'dev1',
    address: expect.stringMatching(new RegExp(`^${ADDRESS}$`)),
    clean: true,
    sessionPresent: false,
    keepalive: 30,
    protocolVersion: 4,
    username: null,
    msg: expect.stringMatching(/^client dev1 connected from /),
    stream: 'stdout',
  })

  await client.destroy()
  expect(await log.json({ event: 'disconnect' })).toMatchObject({
    level: 'info',
    clientId: 'dev1',
    reason: 'network',
    msg: 'client dev1 disconnected (network): the connection closed without DISCONNECT',
  })
  // every line is one JSON object, and nothing else is written
  for (const { line } of log.written) expect(line).toMatch(/^\{.*\}\n$/)
})
