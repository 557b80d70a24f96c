import { expect, test } from 'vitest'
import { decodeCursor, encodeCursor } from '../../broker/inspector/cursor.ts'
import { compareClientIds, prefixUpperBound } from '../../broker/store/client-id-order.ts'

test.each(['a', 'sensor-01', 'ünïcödé', '🙂/x', 'x'.repeat(1000)])('%s round-trips', (id) => {
  const cursor = encodeCursor(id)
  expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
  expect(decodeCursor(cursor)).toBe(id)
})

test.each(['', '!!', 'YQ==', 'YQ=', '_w', 'YWJj\n'])('%j is refused with BAD_CURSOR', (cursor) => {
  expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'BAD_CURSOR' }))
})

test('ClientIDs compare in UTF-8 byte order, as SQLite does', () => {
  const ids = ['b', '\u{1F600}', '\uFFFD', 'a', 'ab', '\uE000', 'aa']
  const bytewise = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
  expect([...ids].sort(compareClientIds)).toEqual(bytewise)
})

test('the upper bound of a prefix is the least string after all that start with it', () => {
  expect(prefixUpperBound('ab')).toBe('ac')
  expect(prefixUpperBound('a\u{10FFFF}')).toBe('b')
  expect(prefixUpperBound('\u{10FFFF}')).toBeNull()
  expect(prefixUpperBound('a\uD7FF')).toBe('a\uE000')
})
