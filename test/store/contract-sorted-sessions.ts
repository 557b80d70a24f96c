import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compareClientIds } from '../../broker/store/client-id-order.ts'
import type { SessionSortKey, SessionStore, SortedSessionRecord } from '../../broker/store/types.ts'
import { enqueueMany, type OpenStore } from './contract-helpers.ts'

const T0 = 1_700_000_000_000

/**
 * Sessions as the session list sorts them: every store gives the same
 * order, (value, ClientID) up or down, and the same pages after a position.
 */
export function describeSortedSessionContract(open: OpenStore): void {
  describe('sorted session listing', () => {
    let store: SessionStore
    let close: () => Promise<void>

    beforeEach(async () => {
      ;({ store, close } = await open({ now: () => T0 }))
      // ties on purpose (b and c connected at once), unknown times (d), a prefix outside (z)
      const sessions: [string, number | null, number | null, number][] = [
        ['dev/a', T0 + 30, T0 + 100, 2],
        ['dev/b', T0 + 10, T0 + 300, 0],
        ['dev/c', T0 + 10, T0 + 200, 5],
        ['dev/d', null, null, 2],
        ['dev/é', T0 + 20, T0 + 50, 1],
        ['zzz', T0 + 5, T0 + 5, 9],
      ]
      for (const [clientId, connectedAt, lastActivity, queued] of sessions) {
        await store.openSession(clientId)
        if (connectedAt !== null) {
          await store.touchSession(clientId, {
            connectedAt,
            lastActivity,
            disconnectedAt: T0 + 400,
          })
        }
        if (queued > 0) await enqueueMany(store, clientId, 1, queued)
      }
      await store.flush()
    })
    afterEach(() => close())

    const ids = (rows: SortedSessionRecord[]) => rows.map((row) => row.record.clientId)

    it('sorts by each key, ties and unknown times in ClientID order, up and down', async () => {
      const expected: Record<SessionSortKey, string[]> = {
        clientId: ['dev/a', 'dev/b', 'dev/c', 'dev/d', 'dev/é'],
        connectedAt: ['dev/d', 'dev/b', 'dev/c', 'dev/é', 'dev/a'],
        lastActivity: ['dev/d', 'dev/é', 'dev/a', 'dev/c', 'dev/b'],
        queued: ['dev/b', 'dev/é', 'dev/a', 'dev/d', 'dev/c'],
      }
      for (const [by, order] of Object.entries(expected) as [SessionSortKey, string[]][]) {
        const up = await store.listSessionsSorted({ by, order: 'asc', prefix: 'dev/', limit: 10 })
        expect(ids(up), by).toEqual(order)
        const down = await store.listSessionsSorted({
          by,
          order: 'desc',
          prefix: 'dev/',
          limit: 10,
        })
        expect(ids(down), `${by} desc`).toEqual([...order].reverse())
      }
    })

    it('answers the values sorted by, -1 for a time not known', async () => {
      const rows = await store.listSessionsSorted({ by: 'connectedAt', order: 'asc', limit: 2 })
      expect(rows.map((row) => [row.record.clientId, row.value])).toEqual([
        ['dev/d', -1],
        ['zzz', T0 + 5],
      ])
      const queued = await store.listSessionsSorted({ by: 'queued', order: 'desc', limit: 1 })
      expect(queued.map((row) => [row.record.clientId, row.value])).toEqual([['zzz', 9]])
    })

    it('pages after a (value, ClientID) position, each session once', async () => {
      for (const by of ['clientId', 'connectedAt', 'lastActivity', 'queued'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const whole = ids(await store.listSessionsSorted({ by, order, limit: 100 }))
          const walked: string[] = []
          let after: { value: number; clientId: string } | undefined
          for (let pages = 0; pages < 10; pages++) {
            const page = await store.listSessionsSorted({ by, order, after, limit: 2 })
            walked.push(...ids(page))
            if (page.length < 2) break
            const last = page[page.length - 1]
            after = { value: last.value, clientId: last.record.clientId }
          }
          expect(walked, `${by} ${order}`).toEqual(whole)
          expect([...whole].sort(compareClientIds)).toEqual([
            'dev/a',
            'dev/b',
            'dev/c',
            'dev/d',
            'dev/é',
            'zzz',
          ])
        }
      }
    })
  })
}
