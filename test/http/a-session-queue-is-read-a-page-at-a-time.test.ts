import { expect, test } from 'vitest'
import type { QueuePage } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer, sessionPath } from './http-client.ts'

test('pages follow each other with the cursor of the one before, and the last says so', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev1',
    clean: false,
  })
  await dev.subscribe('t/#', 1)
  await dev.disconnect()
  const { client: publisher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  for (let n = 1; n <= 5; n++) await publish(publisher, `t/${n}`, `m${n}`, 1, n)

  const pages: string[][] = []
  let path = sessionPath('dev1', '/queue?limit=2')
  for (;;) {
    const answer = await call<QueuePage>(broker, path)
    expect(answer.status).toBe(200)
    pages.push(answer.body.entries.map((entry) => entry.preview ?? ''))
    if (answer.body.next === null) break
    path = sessionPath('dev1', `/queue?limit=2&cursor=${encodeURIComponent(answer.body.next)}`)
  }

  expect(pages).toEqual([['m1', 'm2'], ['m3', 'm4'], ['m5']])
})

test('an empty queue of a session the broker holds is one empty page', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'idle', clean: false })
  await client.disconnect()

  const answer = await call<QueuePage>(broker, sessionPath('idle', '/queue'))
  expect(answer.status).toBe(200)
  expect(answer.body).toEqual({ clientId: 'idle', entries: [], next: null, incoming: [] })
})

test.each([
  ['an unknown ClientID', sessionPath('ghost', '/queue'), 404, 'NOT_FOUND'],
  ['a cursor the broker did not make', sessionPath('dev1', '/queue?cursor=abc'), 400, 'BAD_CURSOR'],
  // a session list cursor (a ClientID) is not a queue position
  ['a cursor of another listing', sessionPath('dev1', '/queue?cursor=ZGV2MQ'), 400, 'BAD_CURSOR'],
  ['a limit of 0', sessionPath('dev1', '/queue?limit=0'), 400, 'BAD_REQUEST'],
  ['a limit over 1000', sessionPath('dev1', '/queue?limit=1001'), 400, 'BAD_REQUEST'],
  ['an unknown parameter', sessionPath('dev1', '/queue?state=online'), 400, 'BAD_REQUEST'],
])('%s is refused with a code', async (_what, path, status, code) => {
  const broker = await startBroker({ store: 'memory' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1', clean: false })
  await client.disconnect()

  const answer = await call<ErrorAnswer>(broker, path)
  expect(answer.status).toBe(status)
  expect(answer.body.error.code).toBe(code)
})
