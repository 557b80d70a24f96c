import { expect, test } from 'vitest'
import { PASSWD_7, tempFile } from '../auth/auth-helpers.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { LOG_TIME_TEXT, startLoggedBroker } from './logged-broker.ts'

test('as text: a warning naming the client, where it came from, the CONNACK code and the reason', async () => {
  const { broker, log } = await startLoggedBroker({
    passwordFile: PASSWD_7,
    aclFile: tempFile('acl', 'user alice\ntopic readwrite alice/#\n'),
    maxConnections: 2,
  })
  const login = { username: 'alice', password: 'alice-secret' }
  const refused = async (options: Parameters<typeof RawClient.connect>[1]) =>
    (await RawClient.connect(broker.urls.mqtt, options)).connack.returnCode

  expect(await refused({ clientId: 'dev1', username: 'alice', password: 'wrong' })).toBe(4)
  expect(await refused({ clientId: 'x'.repeat(300), ...login })).toBe(2)
  expect(
    await refused({ clientId: 'dev2', will: { topic: 'bob/x', payload: 'x' }, ...login }),
  ).toBe(5)
  expect(await refused({ clientId: 'a', ...login })).toBe(0)
  expect(await refused({ clientId: 'b', ...login })).toBe(0)
  expect(await refused({ clientId: 'c', ...login })).toBe(3)

  const address = String.raw`127\.0\.0\.1:\d+`
  const lines = await Promise.all(
    ['client dev1 refused', 'client x+ refused', 'client dev2 refused', 'client c refused'].map(
      (start) => log.line(new RegExp(start)),
    ),
  )
  expect(lines.map((w) => w.stream)).toEqual(['stderr', 'stderr', 'stderr', 'stderr'])
  expect(lines.map((w) => w.line)).toEqual([
    expect.stringMatching(
      new RegExp(
        `^${LOG_TIME_TEXT} warn  client dev1 refused from ${address}: CONNACK 0x04 bad user name or password\\n$`,
      ),
    ),
    expect.stringMatching(
      /: CONNACK 0x02 identifier rejected \(ClientID is 300 bytes, over the limit of 256\)\n$/,
    ),
    expect.stringMatching(
      /: CONNACK 0x05 not authorized \(the Will topic is not writable by this user\)\n$/,
    ),
    expect.stringMatching(
      /: CONNACK 0x03 server unavailable \(2 clients connected \(--max-connections\)\)\n$/,
    ),
  ])
})

test('as JSON: event refused with returnCode, reason, address and username', async () => {
  const { broker, log } = await startLoggedBroker({ passwordFile: PASSWD_7 }, { format: 'json' })
  await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    username: 'mallory',
    password: 'x',
  })

  expect(await log.json({ event: 'refused' })).toEqual({
    level: 'warn',
    time: expect.any(String),
    event: 'refused',
    clientId: 'dev1',
    address: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    returnCode: 4,
    reason: 'bad username or password',
    username: 'mallory',
    clean: true,
    msg: expect.stringMatching(/^client dev1 refused from /),
    stream: 'stderr',
  })
})

test('a CONNECT that left its ClientID to the broker is logged without the id aedes made up', async () => {
  const { broker, log } = await startLoggedBroker()
  const client = await RawClient.open(broker.urls.mqtt)
  // "MQTT", level 4, CleanSession=0, keepalive 0, ClientID "": mqtt-packet refuses to encode it
  client.writeRaw(Buffer.from([0x10, 0x0c, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 0, 0, 0]))
  expect((await client.next('connack')).returnCode).toBe(2)

  expect((await log.line(/refused/)).line).toMatch(
    / warn {2}a client without ClientID refused from 127\.0\.0\.1:\d+: CONNACK 0x02 identifier rejected \(zero-length ClientID requires CleanSession=1\)\n$/,
  )
})
