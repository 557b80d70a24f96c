import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionStore } from '../../broker/store/types.ts'
import { enqueueMany, markSent, type OpenStore, publish } from './contract-helpers.ts'

const T0 = 1_700_000_000_000

/** What the inspector reads of persistent sessions: records, pages, aggregates, idleness. */
export function describeSessionRecordContract(open: OpenStore): void {
  describe('session records', () => {
    let store: SessionStore
    let close: () => Promise<void>
    let now = T0

    beforeEach(async () => {
      now = T0
      ;({ store, close } = await open({ now: () => now }))
    })
    afterEach(() => close())

    it('openSession creates a record stamped with its creation time', async () => {
      expect(await store.getSession('alice')).toBeUndefined()
      await store.openSession('alice')
      now += 5
      await store.openSession('alice')

      expect(await store.getSession('alice')).toEqual({
        clientId: 'alice',
        protocolVersion: null,
        keepalive: null,
        username: null,
        remoteAddress: null,
        createdAt: T0,
        connectedAt: null,
        disconnectedAt: null,
        lastActivity: null,
        dropped: 0,
        takeovers: 0,
      })
    })

    it('touchSession sets only the fields given, and never creates a session', async () => {
      await store.openSession('alice')
      await store.touchSession('alice', {
        protocolVersion: 4,
        keepalive: 30,
        username: 'al',
        remoteAddress: '127.0.0.1:5000',
        connectedAt: T0 + 1,
        lastActivity: T0 + 2,
      })
      await store.touchSession('alice', { disconnectedAt: T0 + 3, lastActivity: T0 + 3 })
      await store.touchSession('bob', { connectedAt: T0 })

      expect(await store.getSession('alice')).toMatchObject({
        protocolVersion: 4,
        keepalive: 30,
        username: 'al',
        remoteAddress: '127.0.0.1:5000',
        connectedAt: T0 + 1,
        disconnectedAt: T0 + 3,
        lastActivity: T0 + 3,
      })
      await store.touchSession('alice', { disconnectedAt: null })
      expect((await store.getSession('alice'))?.disconnectedAt).toBeNull()
      expect(await store.getSession('bob')).toBeUndefined()
    })

    it('addToSession adds to the counters of an existing session only', async () => {
      await store.openSession('alice')
      await store.addToSession('alice', { dropped: 2 })
      await store.addToSession('alice', { dropped: 1, takeovers: 1 })
      await store.addToSession('bob', { dropped: 1 })

      expect(await store.getSession('alice')).toMatchObject({ dropped: 3, takeovers: 1 })
      expect(await store.getSession('bob')).toBeUndefined()
    })

    it('discardSession removes the record', async () => {
      await store.openSession('alice')
      await store.discardSession('alice')
      expect(await store.getSession('alice')).toBeUndefined()
      expect(await store.countSessions()).toBe(0)
    })

    it('listSessions pages in UTF-8 byte order, by prefix and after a ClientID', async () => {
      // U+FFFD sorts before U+1F600 by code point, after it by UTF-16 unit.
      const ids = ['b', 'a', 'ab', 'a\u{1F600}', 'a\uFFFD', 'aa', 'c']
      for (const id of ids) await store.openSession(id)
      const list = async (range: Parameters<SessionStore['listSessions']>[0]) =>
        (await store.listSessions(range)).map((record) => record.clientId)

      expect(await list({ limit: 10 })).toEqual([
        'a',
        'aa',
        'ab',
        'a\uFFFD',
        'a\u{1F600}',
        'b',
        'c',
      ])
      expect(await list({ limit: 2 })).toEqual(['a', 'aa'])
      expect(await list({ limit: 2, after: 'aa' })).toEqual(['ab', 'a\uFFFD'])
      expect(await list({ limit: 10, prefix: 'a' })).toEqual([
        'a',
        'aa',
        'ab',
        'a\uFFFD',
        'a\u{1F600}',
      ])
      expect(await list({ limit: 10, prefix: 'a', after: 'ab' })).toEqual(['a\uFFFD', 'a\u{1F600}'])
      expect(await list({ limit: 10, prefix: 'b', after: 'a' })).toEqual(['b'])
      expect(await list({ limit: 10, prefix: 'a', after: 'b' })).toEqual([])
      expect(await list({ limit: 10, prefix: 'x' })).toEqual([])
      expect(await store.countSessions()).toBe(7)
      expect(await store.countSessions('a')).toBe(5)
      expect(await store.countSessions('a\uFFFD')).toBe(1)
      expect(await store.countSessions('x')).toBe(0)
    })

    it('sessionStats counts queued, in-flight, incoming and subscriptions', async () => {
      await store.addSubscriptions({ id: 'alice' }, [
        { topic: 'a/#', qos: 1 },
        { topic: 'b', qos: 0 },
      ])
      await enqueueMany(store, 'alice', 1, 2) // 'message 1', 'message 2': 9 bytes each
      now += 1000
      await store.outgoingEnqueueCombi(
        [{ clientId: 'alice' }],
        { ...publish(3), payload: 'héllo' }, // a string payload: 6 UTF-8 bytes
      )
      await enqueueMany(store, 'alice', 4, 1)
      await markSent(store, 'alice', 1, 11)
      await markSent(store, 'alice', 4, 14)
      await store.outgoingUpdate({ id: 'alice' }, { cmd: 'pubrel', messageId: 14 })
      await store.incomingStorePacket({ id: 'alice' }, { ...publish(9, 2), messageId: 7 })

      const stats = await store.sessionStats(['alice', 'nobody'])

      expect(stats.get('alice')).toEqual({
        subscriptions: 2,
        queued: 2,
        queuedBytes: 9 + 6,
        oldestQueuedAt: T0,
        inflight: 2,
        incoming: 1,
      })
      expect(stats.get('nobody')).toEqual({
        subscriptions: 0,
        queued: 0,
        queuedBytes: 0,
        oldestQueuedAt: null,
        inflight: 0,
        incoming: 0,
      })
      expect((await store.sessionStats([])).size).toBe(0)
    })

    it('sessionStats gives the oldest age of what is still queued', async () => {
      await enqueueMany(store, 'alice', 1, 1)
      now += 500
      await enqueueMany(store, 'alice', 2, 1)
      await markSent(store, 'alice', 1, 1)

      expect((await store.sessionStats(['alice'])).get('alice')?.oldestQueuedAt).toBe(T0 + 500)
    })

    it('idleSessions finds sessions disconnected before a time, longest idle first', async () => {
      for (const id of ['a', 'b', 'c', 'online']) await store.openSession(id)
      await store.touchSession('a', { disconnectedAt: T0 + 20 })
      await store.touchSession('b', { disconnectedAt: T0 + 10 })
      await store.touchSession('c', { disconnectedAt: T0 + 30 })

      expect(await store.idleSessions(T0 + 30, 10)).toEqual([
        { clientId: 'b', disconnectedAt: T0 + 10 },
        { clientId: 'a', disconnectedAt: T0 + 20 },
      ])
      expect(await store.idleSessions(T0 + 100, 1)).toEqual([
        { clientId: 'b', disconnectedAt: T0 + 10 },
      ])
    })

    it('closeOpenSessions marks sessions recorded as connected as disconnected', async () => {
      for (const id of ['a', 'b']) await store.openSession(id)
      await store.touchSession('a', { disconnectedAt: T0 - 5 })

      expect(await store.closeOpenSessions(T0)).toBe(1)
      expect((await store.getSession('a'))?.disconnectedAt).toBe(T0 - 5)
      expect((await store.getSession('b'))?.disconnectedAt).toBe(T0)
      expect(await store.closeOpenSessions(T0 + 1)).toBe(0)
    })

    it('an MQTT 5 session keeps its Session Expiry Interval and ends that long after it went offline', async () => {
      for (const id of ['five', 'ten', 'forever', 'legacy', 'online']) await store.openSession(id)
      await store.touchSession('five', { sessionExpiry: 60, disconnectedAt: T0 })
      await store.touchSession('ten', { sessionExpiry: 10, disconnectedAt: T0 + 20_000 })
      await store.touchSession('forever', { sessionExpiry: 0xffffffff, disconnectedAt: T0 })
      await store.touchSession('legacy', { disconnectedAt: T0 })
      await store.touchSession('online', { sessionExpiry: 5, disconnectedAt: null })

      expect((await store.getSession('five'))?.sessionExpiry).toBe(60)
      expect((await store.getSession('forever'))?.sessionExpiry).toBe(0xffffffff)
      // an MQTT 3.1.1 session has none: --session-expiry governs it
      expect(await store.getSession('legacy')).not.toHaveProperty('sessionExpiry')
      expect(await store.idleSessions(T0 + 1, 10)).toEqual([
        { clientId: 'legacy', disconnectedAt: T0 },
      ])
      expect(await store.nextSessionEnd()).toBe(T0 + 30_000)
      expect(await store.endedSessions(T0 + 30_000 - 1, 10)).toEqual([])
      expect(await store.endedSessions(T0 + 30_000, 10)).toEqual([
        { clientId: 'ten', disconnectedAt: T0 + 20_000, sessionExpiry: 10 },
      ])
      // earliest end first; 0xFFFFFFFF never ends
      expect(await store.endedSessions(T0 + 100 * 365 * 86_400_000, 10)).toEqual([
        { clientId: 'ten', disconnectedAt: T0 + 20_000, sessionExpiry: 10 },
        { clientId: 'five', disconnectedAt: T0, sessionExpiry: 60 },
      ])
      expect(await store.endedSessions(T0 + 60_000, 1)).toHaveLength(1)

      // resumed: online sessions do not end
      await store.touchSession('ten', { disconnectedAt: null })
      expect(await store.nextSessionEnd()).toBe(T0 + 60_000)
      // an MQTT 3.1.1 connection under the same ClientID: no interval any more
      await store.touchSession('five', { sessionExpiry: null })
      expect(await store.nextSessionEnd()).toBeNull()
      expect((await store.idleSessions(T0 + 1, 10)).map((s) => s.clientId).sort()).toEqual([
        'five',
        'legacy',
      ])

      // a run that ended without saying: its sessions end from the restart
      expect(await store.closeOpenSessions(T0 + 1_000)).toBe(2)
      expect(await store.endedSessions(T0 + 6_000, 10)).toEqual([
        { clientId: 'online', disconnectedAt: T0 + 1_000, sessionExpiry: 5 },
      ])
      await store.discardSession('online')
      expect(await store.endedSessions(T0 + 100_000, 10)).toEqual([
        { clientId: 'ten', disconnectedAt: T0 + 1_000, sessionExpiry: 10 },
      ])
    })
  })
}
