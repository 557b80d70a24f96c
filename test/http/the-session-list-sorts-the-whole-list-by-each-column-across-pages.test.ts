import { expect, test } from 'vitest'
import type { SessionPage, SessionSummary } from '../../broker/inspector/types.ts'
import { compareClientIds } from '../../broker/store/client-id-order.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer } from './http-client.ts'

const SORTS = ['clientId', 'state', 'queued', 'lastActivity', 'connectedAt'] as const

/** The value each sort orders by, as the rows show it. */
function sortValue(sort: (typeof SORTS)[number], s: SessionSummary): number {
  if (sort === 'clientId') return 0
  if (sort === 'state') return s.connected ? 0 : 1
  if (sort === 'queued') return s.queued
  return s[sort] ?? -1
}

test.each(['sqlite', 'memory'] as const)(
  'on the %s store, every sort walks the whole list, online and offline, each session once in order',
  async (store) => {
    const broker = await startBroker({ store })
    const hour = 3_600_000
    const t0 = Date.now() - 48 * hour
    // offline sessions written through the store, with times apart, ties and one unknown
    const offline: [string, number | null, number][] = [
      ['b-old', t0, 3],
      ['c-tie', t0 + hour, 1],
      ['a-tie', t0 + hour, 0],
      ['d-never', null, 2],
      ['e-new', t0 + 5 * hour, 7],
    ]
    for (const [clientId, at, queued] of offline) {
      await broker.store.openSession(clientId)
      if (at !== null) {
        await broker.store.touchSession(clientId, {
          connectedAt: at,
          lastActivity: at + 1000,
          disconnectedAt: at + 2000,
        })
      }
      for (let i = 0; i < queued; i++) {
        await broker.store.outgoingEnqueueCombi([{ clientId }], {
          cmd: 'publish',
          topic: 't',
          payload: Buffer.from('x'),
          qos: 1,
          retain: false,
          dup: false,
          brokerId: 'seed',
          brokerCounter: i + 1,
        })
      }
    }
    await broker.store.flush()
    // online: a clean session (only in memory) and a persistent one (in the store too)
    await RawClient.connect(broker.urls.mqtt, { clientId: 'm-clean', clean: true })
    await RawClient.connect(broker.urls.mqtt, { clientId: 'f-kept', clean: false })

    const all = await call<SessionPage>(broker, '/api/sessions?limit=1000')
    expect(all.body.sessions).toHaveLength(7)
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc'] as const) {
        const expected = [...all.body.sessions]
          .sort((a, b) => {
            const d =
              sortValue(sort, a) - sortValue(sort, b) || compareClientIds(a.clientId, b.clientId)
            return order === 'asc' ? d : -d
          })
          .map((s) => s.clientId)
        const walked: string[] = []
        let path = `/api/sessions?sort=${sort}&order=${order}&limit=2`
        for (let pages = 0; pages < 10; pages++) {
          const page = await call<SessionPage>(broker, path)
          expect(page.status, `${sort} ${order}: ${page.text}`).toBe(200)
          expect(page.body.counts).toEqual({ online: 2, offline: 5, total: 7 })
          walked.push(...page.body.sessions.map((s) => s.clientId))
          if (page.body.next === null) break
          path = `/api/sessions?sort=${sort}&order=${order}&limit=2&cursor=${page.body.next}`
        }
        expect(walked, `${sort} ${order}`).toEqual(expected)
      }
    }

    // the state filter and a sort together: the offline sessions by queue length, longest first
    const offlineByQueue = await call<SessionPage>(
      broker,
      '/api/sessions?state=offline&sort=queued&order=desc',
    )
    expect(offlineByQueue.body.sessions.map((s) => [s.clientId, s.queued])).toEqual([
      ['e-new', 7],
      ['b-old', 3],
      ['d-never', 2],
      ['c-tie', 1],
      ['a-tie', 0],
    ])
    const onlineFirst = await call<SessionPage>(broker, '/api/sessions?sort=state&limit=3')
    expect(onlineFirst.body.sessions.map((s) => s.clientId)).toEqual(['f-kept', 'm-clean', 'a-tie'])
  },
)

test('a cursor of one sort is refused by another, naming both', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const clientId of ['a', 'b', 'c']) await broker.store.openSession(clientId)
  const first = await call<SessionPage>(broker, '/api/sessions?sort=queued&limit=1')
  expect(first.body.next).toEqual(expect.any(String))
  const other = await call<ErrorAnswer>(
    broker,
    `/api/sessions?sort=lastActivity&limit=1&cursor=${first.body.next}`,
  )
  expect(other.status).toBe(400)
  expect(other.body.error.code).toBe('BAD_CURSOR')
  expect(other.body.error.reason).toBe(
    'the cursor is of the list sorted by "queued" "asc", not by lastActivity asc',
  )
  const plain = await call<ErrorAnswer>(broker, `/api/sessions?limit=1&cursor=${first.body.next}`)
  expect(plain.body.error.code).toBe('BAD_CURSOR')
  // and the other way round: a cursor of the ClientID order, given to a sort
  const byId = await call<SessionPage>(broker, '/api/sessions?limit=1')
  const mixed = await call<ErrorAnswer>(
    broker,
    `/api/sessions?sort=queued&limit=1&cursor=${byId.body.next}`,
  )
  expect(mixed.status).toBe(400)
  expect(mixed.body.error.code).toBe('BAD_CURSOR')
})

test.each([
  ['sort=ip', 'sort must be one of clientId, state, queued, lastActivity, connectedAt, got "ip"'],
  ['sort=', 'sort must be one of clientId, state, queued, lastActivity, connectedAt, got ""'],
  ['order=up', 'order must be asc or desc, got "up"'],
  ['order=asc&order=desc', 'order must be given once'],
])('GET /api/sessions?%s is a 400 naming the bad value', async (query, reason) => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, `/api/sessions?${query}`)
  expect(answer.status).toBe(400)
  expect(answer.body.error).toEqual({ code: 'BAD_REQUEST', reason })
})
