import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionStore } from '../../broker/store/types.ts'
import { describeCountContract } from './contract-counts.ts'
import { describeDashboardViewContract } from './contract-dashboard-views.ts'
import { drain, enqueueMany, markSent, type OpenStore, publish } from './contract-helpers.ts'
import { describeOperatorListContract } from './contract-operator-lists.ts'
import { describeOutgoingContract } from './contract-outgoing.ts'
import { describeSessionRecordContract } from './contract-session-records.ts'
import { describeSortedSessionContract } from './contract-sorted-sessions.ts'

/**
 * Our contract for every SessionStore, beyond aedes' own abstract.js: the
 * session rules SessionLab relies on. Each store's test file calls this.
 */
export function describeSessionStoreContract(open: OpenStore): void {
  describe('sessions', () => {
    let store: SessionStore
    let close: () => Promise<void>

    beforeEach(async () => {
      ;({ store, close } = await open())
    })
    afterEach(() => close())

    it('queueTotals counts queued and in-flight entries over every session, where kept', async () => {
      if (!store.queueTotals) return // redis: the broker sums the sessions instead
      const before = await store.queueTotals()
      await enqueueMany(store, 'totals-a', 1, 3)
      await enqueueMany(store, 'totals-b', 4, 2)
      await markSent(store, 'totals-a', 1, 101)
      await markSent(store, 'totals-b', 4, 102)
      await store.outgoingUpdate({ id: 'totals-b' }, { cmd: 'pubrel', messageId: 102 })
      const delta = async () => {
        const now = await (store.queueTotals as () => Promise<typeof before>)()
        return { queued: now.queued - before.queued, inflight: now.inflight - before.inflight }
      }

      expect(await delta()).toEqual({ queued: 3, inflight: 2 })
      await store.outgoingClearMessageId({ id: 'totals-a' }, { messageId: 101 })
      expect(await delta()).toEqual({ queued: 3, inflight: 1 })
    })

    it('openSession tells whether the session existed, then marks it', async () => {
      expect(await store.openSession('alice')).toBe(false)
      expect(await store.openSession('alice')).toBe(true)
      expect(await store.openSession('bob')).toBe(false)
    })

    it('discardSession removes subscriptions, and matching no longer finds them', async () => {
      const subs = [
        { topic: 'sensors/#', qos: 1 as const },
        { topic: 'alerts', qos: 0 as const },
      ]
      await store.addSubscriptions({ id: 'abc' }, subs)
      // A ClientID that extends the discarded one must keep everything.
      await store.addSubscriptions({ id: 'abcd' }, subs)

      await store.discardSession('abc')

      expect(await store.subscriptionsByClient({ id: 'abc' })).toEqual([])
      const matched = await store.subscriptionsByTopic('sensors/temp')
      expect(matched.map((sub) => sub.clientId)).toEqual(['abcd'])
      expect(await store.countOffline()).toEqual({ subsCount: 1, clientsCount: 1 })
      expect(await drain(store.getClientList('alerts'))).toEqual(['abcd'])
    })

    it('a shared subscription is kept with its session, listed by its filter, and matches no topic itself', async () => {
      // broker/rules/shared-subscriptions.ts: `$share/g/jobs/#` is held so; the filter is the membership
      await store.addSubscriptions({ id: 'worker' }, [
        { topic: '$SessionLab/share/g/jobs/#', qos: 1 },
        { topic: 'alerts', qos: 0 },
      ])
      expect(await store.subscriptionsByClient({ id: 'worker' })).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ topic: '$SessionLab/share/g/jobs/#', qos: 1 }),
          expect.objectContaining({ topic: 'alerts', qos: 0 }),
        ]),
      )
      expect(await drain(store.getClientList('$SessionLab/share/g/jobs/#'))).toEqual(['worker'])
      // ordinary matching never delivers on it: the group's member is chosen by the rule
      expect(await store.subscriptionsByTopic('jobs/a')).toEqual([])
      await store.removeSubscriptions({ id: 'worker' }, ['$SessionLab/share/g/jobs/#'])
      expect(await drain(store.getClientList('$SessionLab/share/g/jobs/#'))).toEqual([])
      await store.addSubscriptions({ id: 'worker' }, [
        { topic: '$SessionLab/share/g/jobs/#', qos: 1 },
      ])
      await store.discardSession('worker')
      expect(await store.subscriptionsByClient({ id: 'worker' })).toEqual([])
    })

    it('discardSession removes queued and in-flight messages', async () => {
      await enqueueMany(store, 'abc', 1, 4)
      await enqueueMany(store, 'abcd', 1, 2)
      await markSent(store, 'abc', 1, 101)
      await markSent(store, 'abc', 2, 102)
      await store.outgoingUpdate({ id: 'abc' }, { cmd: 'pubrel', messageId: 102 })

      await store.discardSession('abc')

      expect(await drain(store.outgoingStream({ id: 'abc' }))).toEqual([])
      expect(await store.outgoingClearMessageId({ id: 'abc' }, { messageId: 101 })).toBeUndefined()
      expect(await drain(store.outgoingStream({ id: 'abcd' }))).toHaveLength(2)
    })

    it('discardSession removes incoming QoS 2 packets', async () => {
      await store.incomingStorePacket({ id: 'abc' }, { ...publish(1, 2), messageId: 7 })
      await store.incomingStorePacket({ id: 'abcd' }, { ...publish(1, 2), messageId: 7 })

      await store.discardSession('abc')

      await expect(store.incomingGetPacket({ id: 'abc' }, { messageId: 7 })).rejects.toThrow(
        'no such packet',
      )
      expect((await store.incomingGetPacket({ id: 'abcd' }, { messageId: 7 })).messageId).toBe(7)
    })

    it('discardSession forgets the session but keeps the Will', async () => {
      await store.openSession('abc')
      const will = { topic: 'bye', payload: Buffer.from('gone'), qos: 1 as const, retain: false }
      await store.putWill({ id: 'abc' }, will)

      await store.discardSession('abc')

      expect(await store.openSession('abc')).toBe(false)
      expect((await store.getWill({ id: 'abc' }))?.topic).toBe('bye')
    })

    it('flush resolves once the writes issued before it are done', async () => {
      const write = store.openSession('alice')
      await store.flush()
      await expect(write).resolves.toBe(false)
      await store.flush()
    })
  })

  describeOutgoingContract(open)
  describeOperatorListContract(open)
  describeSessionRecordContract(open)
  describeSortedSessionContract(open)
  describeCountContract(open)
  describeDashboardViewContract(open)

  describe('destroy', () => {
    it('rejects a second call with STORE_CLOSED', async () => {
      const { store, close } = await open()
      await close()
      await expect(store.destroy()).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    })
  })
}
