import { expect, test } from 'vitest'
import { shown } from '../../broker/log/client-lines.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startLoggedBroker } from './logged-broker.ts'

test('a ClientID with a line break and a fake line is refused and forges no line', async () => {
  const { broker, log } = await startLoggedBroker()
  // A control character in a ClientID now closes the connection as it is
  // parsed (docs/session-rules.md): whatever is logged of it stays one line
  // each, and no line starts with the forged text.
  const forged = 'x\n2026-12-04T17:25:21.123Z info  client admin connected'
  const client = await RawClient.open(broker.urls.mqtt)
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: forged,
    clean: true,
    keepalive: 0,
  })
  await client.waitClosed()
  await RawClient.connect(broker.urls.mqtt, { clientId: 'after' })
  await log.line(/client after connected from/)
  for (const { line } of log.written) expect(line.split('\n')).toHaveLength(2)
  expect(log.written.some(({ line }) => line.includes('client admin connected'))).toBe(false)
})

test('plain text is shown as it is; spaces, quotes, backslashes and control characters are quoted', () => {
  expect(shown('capteur-été/№1')).toBe('capteur-été/№1')
  expect(shown('my device')).toBe('"my device"')
  expect(shown('a"b\\c')).toBe('"a\\"b\\\\c"')
  expect(shown('bell\u0007\u2028')).toBe('"bell\\u0007\\u2028"')
  expect(shown('')).toBe('""')
})
