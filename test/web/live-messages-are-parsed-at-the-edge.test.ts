import { expect, test } from 'vitest'
import { parseClientMessage, parseServerMessage } from '../../web/shared/messages.ts'

const change = { seq: 1, clientId: 'a', event: { type: 'connect', at: 1, clean: true } }

test('a welcome and a change parse into their typed form', () => {
  const welcome = { type: 'welcome', mode: 'clean', resumed: false, missed: [], missedDropped: 0 }
  expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome)
  expect(parseServerMessage(JSON.stringify({ type: 'change', change }))).toEqual({
    type: 'change',
    change,
  })
})

test.each([
  'not json',
  'null',
  '[]',
  '{"type":"welcome","mode":"dirty","resumed":false,"missed":[],"missedDropped":0}',
  '{"type":"welcome","mode":"clean","resumed":"no","missed":[],"missedDropped":0}',
  '{"type":"change","change":{"seq":"1","clientId":"a","event":{"type":"connect","at":1}}}',
  '{"type":"change","change":{"seq":1,"clientId":"a","event":{"type":"explode","at":1}}}',
  '{"type":"surprise"}',
])('%s is not a server message', (text) => {
  expect(parseServerMessage(text)).toBeNull()
})

test('a browser may send only a ping', () => {
  expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' })
  expect(parseClientMessage('{"type":"delete"}')).toBeNull()
  expect(parseClientMessage('ping')).toBeNull()
})
