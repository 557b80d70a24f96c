import { expect, test } from 'vitest'
import { shown } from '../../broker/log/client-lines.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startLoggedBroker } from './logged-broker.ts'

test('a ClientID with a line break and a fake line is quoted and escaped: still one line', async () => {
  const { broker, log } = await startLoggedBroker()
  const forged = 'x\n2026-12-04T17:25:21.123Z info  client admin connected'
  await RawClient.connect(broker.urls.mqtt, { clientId: forged })

  const { line } = await log.line(/connected from/)
  expect(line.split('\n')).toHaveLength(2) // the line, and the empty rest after its one newline
  expect(line).toContain(
    'client "x\\u000a2026-12-04T17:25:21.123Z info  client admin connected" connected from',
  )
})

test('plain text is shown as it is; spaces, quotes, backslashes and control characters are quoted', () => {
  expect(shown('capteur-été/№1')).toBe('capteur-été/№1')
  expect(shown('my device')).toBe('"my device"')
  expect(shown('a"b\\c')).toBe('"a\\"b\\\\c"')
  expect(shown('bell\u0007\u2028')).toBe('"bell\\u0007\\u2028"')
  expect(shown('')).toBe('""')
})
