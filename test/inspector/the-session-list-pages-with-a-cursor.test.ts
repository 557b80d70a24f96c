import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { SessionListQuery } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** 25 sessions: s00..s24; odd ones offline persistent, even ones online (every fourth clean). */
async function twentyFiveSessions(broker: BrokerHandle): Promise<string[]> {
  const changes = new SessionChanges(broker.sessions)
  const all: string[] = []
  for (let i = 0; i < 25; i++) {
    const clientId = `s${pad(i)}`
    all.push(clientId)
    const clean = i % 4 === 0
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId, clean })
    await changes.next('connect', clientId)
    if (i % 2 === 1) {
      await client.disconnect()
      await changes.next('disconnect', clientId)
    }
  }
  return all
}

async function walk(broker: BrokerHandle, query: Omit<SessionListQuery, 'cursor'>) {
  const pages: string[][] = []
  let cursor: string | undefined
  do {
    const page = await broker.sessions.list({ ...query, cursor })
    pages.push(page.sessions.map((s) => s.clientId))
    cursor = page.next ?? undefined
  } while (cursor !== undefined)
  return pages
}

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('25 sessions come in pages of 10, 10 and 5, each once, in order', async () => {
    const broker = await startBroker({ store })
    const all = await twentyFiveSessions(broker)

    const pages = await walk(broker, { limit: 10 })

    expect(pages.map((p) => p.length)).toEqual([10, 10, 5])
    expect(pages.flat()).toEqual(all)
  })

  test('filtered lists page the same way', async () => {
    const broker = await startBroker({ store })
    const all = await twentyFiveSessions(broker)

    const online = await walk(broker, { limit: 5, state: 'online' })
    const offline = await walk(broker, { limit: 5, state: 'offline' })
    const prefixed = await walk(broker, { limit: 4, prefix: 's1' })

    expect(online.flat()).toEqual(all.filter((_, i) => i % 2 === 0))
    expect(online.map((p) => p.length)).toEqual([5, 5, 3])
    expect(offline.flat()).toEqual(all.filter((_, i) => i % 2 === 1))
    expect(prefixed.flat()).toEqual(all.filter((id) => id.startsWith('s1')))
  })

  test('a page that ends exactly with the last session says there is no next', async () => {
    const broker = await startBroker({ store })
    await twentyFiveSessions(broker)

    const pages = await walk(broker, { limit: 5 })
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 5])
  })

  test('sessions that come and go between pages are seen once or not at all, never twice', async () => {
    const broker = await startBroker({ store })
    await twentyFiveSessions(broker)
    const first = await broker.sessions.list({ limit: 10 })
    await broker.sessions.delete('s03')
    await broker.sessions.delete('s15')
    const second = await broker.sessions.list({ limit: 10, cursor: first.next ?? undefined })

    expect(second.sessions[0].clientId).toBe('s10')
    expect(second.sessions.map((s) => s.clientId)).not.toContain('s15')
  })
})

test('a cursor the broker did not issue is refused with BAD_CURSOR', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const cursor of ['not base64!', '====', 'AA=', '_w', '']) {
    await expect(broker.sessions.list({ limit: 10, cursor })).rejects.toMatchObject({
      code: 'BAD_CURSOR',
    })
  }
})

test('a limit outside 1..1000 is refused with BAD_REQUEST', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
    await expect(broker.sessions.list({ limit })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  }
})
