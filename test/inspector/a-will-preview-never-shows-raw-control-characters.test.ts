import { expect, test } from 'vitest'
import { PREVIEW_CHARS, preview, willView } from '../../broker/inspector/will-view.ts'

test('printable UTF-8 is shown as text', () => {
  expect(preview(Buffer.from('offline – 温度 🌡'))).toEqual({
    preview: 'offline – 温度 🌡',
    previewKind: 'text',
  })
  expect(preview(Buffer.alloc(0))).toEqual({ preview: '', previewKind: 'text' })
})

test.each([
  ['a newline', 'a\nb'],
  ['an escape sequence', '\u001b[2J'],
  ['a NUL', 'a\u0000'],
  ['a C1 control', 'a\u0085'],
  ['a right-to-left override', 'abc\u202edef'],
])('text with %s is shown as hex', (_name, text) => {
  const payload = Buffer.from(text)
  expect(preview(payload)).toEqual({ preview: payload.toString('hex'), previewKind: 'hex' })
})

test('bytes that are not UTF-8 are shown as hex', () => {
  expect(preview(Buffer.from([0xc3, 0x28, 0xff]))).toEqual({
    preview: 'c328ff',
    previewKind: 'hex',
  })
})

test('long text is cut at a character boundary, marked with an ellipsis', () => {
  const text = '🙂'.repeat(PREVIEW_CHARS + 50)
  const shown = preview(Buffer.from(text))
  expect(shown.previewKind).toBe('text')
  expect(Array.from(shown.preview)).toHaveLength(PREVIEW_CHARS + 1)
  expect(shown.preview.endsWith('🙂…')).toBe(true)
  // exactly the limit is not cut
  expect(preview(Buffer.from('x'.repeat(PREVIEW_CHARS))).preview).toBe('x'.repeat(PREVIEW_CHARS))
})

test('a long binary payload shows its first bytes', () => {
  const shown = preview(Buffer.alloc(10_000, 0xfe))
  expect(shown).toEqual({ preview: `${'fe'.repeat(PREVIEW_CHARS / 2)}…`, previewKind: 'hex' })
})

test('the view gives topic, QoS, retain and the payload size', () => {
  expect(willView({ topic: 'lwt', payload: 'bye', qos: 2, retain: true })).toEqual({
    topic: 'lwt',
    qos: 2,
    retain: true,
    payloadBytes: 3,
    preview: 'bye',
    previewKind: 'text',
    delay: 0,
  })
  // MQTT 5: the Will Delay Interval CONNECT asked for [MQTT-3.1.3-9]
  expect(
    willView({
      topic: 'lwt',
      payload: '',
      qos: 0,
      retain: false,
      properties: { willDelayInterval: 30 },
    }).delay,
  ).toBe(30)
})
