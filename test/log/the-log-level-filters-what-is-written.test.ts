import { expect, test } from 'vitest'
import { silentLogger, writes } from '../../broker/log/logger.ts'
import { PASSWD_7 } from '../auth/auth-helpers.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startLoggedBroker } from './logged-broker.ts'

/** One connect, one subscribe, one message delivered, one refused CONNECT, one disconnect. */
async function traffic(url: string): Promise<void> {
  const { client } = await RawClient.connect(url, {
    clientId: 'sub',
    username: 'alice',
    password: 'alice-secret',
  })
  await client.subscribe('t', 1)
  await publish(client, 't', 'x', 1, 2)
  const received = await client.next('publish')
  client.send({ cmd: 'puback', messageId: received.messageId })
  await RawClient.connect(url, { clientId: 'intruder', username: 'alice', password: 'wrong' })
  await client.disconnect()
}

test('warn writes the refusal only; info adds connects and disconnects; debug adds subscriptions and messages', async () => {
  const written: Record<string, string[]> = {}
  for (const level of ['error', 'warn', 'info', 'debug'] as const) {
    const { broker, log } = await startLoggedBroker({ passwordFile: PASSWD_7 }, { level })
    await traffic(broker.urls.mqtt)
    // the last line at each level: the refusal (warn) or the disconnect that follows it (info, debug)
    if (level !== 'error') await log.line(level === 'warn' ? /refused/ : /client sub disconnected/)
    written[level] = log.written.map((w) => w.line.replace(/^\S+ /, ''))
  }

  expect(written.error).toEqual([])
  expect(written.warn).toEqual([expect.stringMatching(/^warn {2}client intruder refused /)])
  expect(written.info).toEqual([
    expect.stringMatching(/^info {2}client sub connected /),
    expect.stringMatching(/^warn {2}client intruder refused /),
    expect.stringMatching(/^info {2}client sub disconnected \(client\)/),
  ])
  expect(written.debug).toEqual([
    expect.stringMatching(/^info {2}client sub connected /),
    'debug client sub subscribed to t (QoS 1)\n',
    'debug client sub: message on t delivered (QoS 1)\n',
    expect.stringMatching(/^warn {2}client intruder refused /),
    expect.stringMatching(/^info {2}client sub disconnected \(client\)/),
  ])
})

test('a silent logger writes at no level, so createBroker’s default writes nothing', () => {
  expect(['error', 'warn', 'info', 'debug'].some((l) => writes(silentLogger, l as 'info'))).toBe(
    false,
  )
})
