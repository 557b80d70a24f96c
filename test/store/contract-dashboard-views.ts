import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DashboardViewRecord, SessionStore } from '../../broker/store/types.ts'
import type { OpenStore } from './contract-helpers.ts'

const byId = (views: DashboardViewRecord[]) => [...views].sort((a, b) => a.id.localeCompare(b.id))

/** The dashboard's persistent views: kept whole, replaced by id, forgotten by id. */
export function describeDashboardViewContract(open: OpenStore): void {
  describe('dashboard views', () => {
    let store: SessionStore
    let close: () => Promise<void>

    beforeEach(async () => {
      ;({ store, close } = await open())
    })
    afterEach(() => close())

    it('a new store holds no views', async () => {
      expect(await store.loadDashboardViews()).toEqual([])
    })

    it('saved views load back as they were saved, data untouched', async () => {
      const data = JSON.stringify({ follows: ['ü/ß', '<script>'], missed: [{ seq: 1 }] })
      await store.saveDashboardViews([
        { id: 'view-a', lastSeen: 1, data },
        { id: 'view-b', lastSeen: 2, data: '{}' },
      ])
      expect(byId(await store.loadDashboardViews())).toEqual([
        { id: 'view-a', lastSeen: 1, data },
        { id: 'view-b', lastSeen: 2, data: '{}' },
      ])
    })

    it('saving a view again replaces it', async () => {
      await store.saveDashboardViews([{ id: 'view-a', lastSeen: 1, data: 'old' }])
      await store.saveDashboardViews([{ id: 'view-a', lastSeen: 5, data: 'new' }])
      expect(await store.loadDashboardViews()).toEqual([{ id: 'view-a', lastSeen: 5, data: 'new' }])
    })

    it('deleting forgets only the views named, and ignores unknown ids', async () => {
      await store.saveDashboardViews([
        { id: 'view-a', lastSeen: 1, data: 'a' },
        { id: 'view-b', lastSeen: 2, data: 'b' },
        { id: 'view-c', lastSeen: 3, data: 'c' },
      ])
      await store.deleteDashboardViews(['view-a', 'view-c', 'never-saved'])
      await store.deleteDashboardViews([])
      expect(await store.loadDashboardViews()).toEqual([{ id: 'view-b', lastSeen: 2, data: 'b' }])
    })

    it('views are not sessions: discarding a session of the same name keeps the view', async () => {
      await store.openSession('view-a')
      await store.saveDashboardViews([{ id: 'view-a', lastSeen: 1, data: 'a' }])
      await store.discardSession('view-a')
      expect(await store.countSessions()).toBe(0)
      expect(await store.loadDashboardViews()).toHaveLength(1)
    })
  })
}
