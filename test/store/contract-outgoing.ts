import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutgoingPacket, SessionStore } from '../../broker/store/types.ts'
import {
  BROKER_ID,
  describeQueue,
  drain,
  enqueueMany,
  markSent,
  type OpenStore,
  publish,
} from './contract-helpers.ts'

/** The outgoing queue: order, paging, and what aedes' updates do to entries. */
export function describeOutgoingContract(open: OpenStore): void {
  describe('outgoing queue', () => {
    let store: SessionStore
    let close: () => Promise<void>
    const alice = { id: 'alice' }
    const queueOf = async (client = alice) => drain(store.outgoingStream(client))

    beforeEach(async () => {
      ;({ store, close } = await open())
    })
    afterEach(() => close())

    it('outgoingEnqueueCombi queues its own copy for each client', async () => {
      const packet = publish(1)
      await store.outgoingEnqueueCombi([{ clientId: 'alice' }, { clientId: 'bob' }], packet)
      packet.payload = Buffer.from('changed later')

      for (const client of [alice, { id: 'bob' }]) {
        const [entry] = await queueOf(client)
        expect(entry).toMatchObject({ cmd: 'publish', brokerCounter: 1, topic: 'sensors/temp' })
        expect(String((entry as { payload: Buffer }).payload)).toBe('message 1')
      }
    })

    it('outgoingStream keeps queue order across many pages', async () => {
      // Interleave another client's entries so pages are not contiguous ids.
      for (let counter = 1; counter <= 1300; counter++) {
        void store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(counter))
        if (counter % 3 === 0)
          void store.outgoingEnqueueCombi([{ clientId: 'bob' }], publish(counter))
      }
      await store.flush()
      await markSent(store, 'alice', 700, 7)

      const queue = await queueOf()
      expect(queue.map((entry) => entry.brokerCounter)).toEqual(
        Array.from({ length: 1300 }, (_, i) => i + 1),
      )
      expect(queue[699]?.messageId).toBe(7)
      expect(await queueOf({ id: 'bob' })).toHaveLength(433)
    })

    it('outgoingStream leaves out what is queued after it was created', async () => {
      await enqueueMany(store, 'alice', 1, 3)
      const stream = store.outgoingStream(alice)
      await enqueueMany(store, 'alice', 4, 2)

      expect(describeQueue(await drain(stream))).toEqual(['publish:1', 'publish:2', 'publish:3'])
    })

    it('outgoingStream lets each entry be cleared while it streams, as aedes does', async () => {
      await enqueueMany(store, 'alice', 1, 600)
      let seen = 0
      for await (const entry of store.outgoingStream(alice)) {
        const sent = { ...(entry as OutgoingPacket), messageId: ++seen }
        await store.outgoingUpdate(alice, sent)
        expect(await store.outgoingClearMessageId(alice, sent)).toMatchObject({ messageId: seen })
      }
      expect(seen).toBe(600)
      expect(await queueOf()).toEqual([])
    })

    it('outgoingAcknowledge removes the first entry sent with that id and keeps the queued count', async () => {
      if (!store.outgoingAcknowledge) return // memory, redis: clearing reads back for free
      await enqueueMany(store, 'alice', 1, 4)
      await markSent(store, 'alice', 1, 9)
      await markSent(store, 'alice', 3, 9)
      const before = await store.queuedTotals('alice')

      await store.outgoingAcknowledge(alice, 9)
      await store.flush()

      expect(describeQueue(await queueOf())).toEqual(['publish:2', 'publish:3#9', 'publish:4'])
      expect(await store.queuedTotals('alice')).toEqual(before)
    })

    it('hasOutgoing tells whether anything is queued or in flight, where kept', async () => {
      if (!store.hasOutgoing) return // redis: it would be a round trip
      expect(store.hasOutgoing('alice')).toBe(false)
      await enqueueMany(store, 'alice', 1, 1)
      expect(store.hasOutgoing('alice')).toBe(true)
      await markSent(store, 'alice', 1, 5)
      expect(store.hasOutgoing('alice')).toBe(true)
      await store.outgoingClearMessageId(alice, { messageId: 5 })
      expect(store.hasOutgoing('alice')).toBe(false)
    })

    it('outgoingUpdate to PUBREL keeps the entry in its place', async () => {
      await enqueueMany(store, 'alice', 1, 3)
      await markSent(store, 'alice', 2, 12)

      await store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 12 })

      const queue = await queueOf()
      expect(describeQueue(queue)).toEqual(['publish:1', 'pubrel#12', 'publish:3'])
      expect(queue[1]).toEqual({ cmd: 'pubrel', messageId: 12 })
    })

    it('a second PUBREC does not rewrite the first PUBREL', async () => {
      // aedes' memory store matched the first PUBREL (no brokerId) to the
      // second one (no brokerId either) and gave it the second messageId.
      await enqueueMany(store, 'alice', 1, 2)
      await markSent(store, 'alice', 1, 5)
      await markSent(store, 'alice', 2, 7)

      await store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 5 })
      await store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 7 })

      expect(describeQueue(await queueOf())).toEqual(['pubrel#5', 'pubrel#7'])
    })

    it('a PUBREL resent by a restarted broker keeps its place', async () => {
      await enqueueMany(store, 'alice', 1, 2)
      await markSent(store, 'alice', 1, 5)
      await store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 5 })

      // On resume aedes wraps the entry in a packet of the current broker.
      const resent = {
        cmd: 'pubrel' as const,
        messageId: 5,
        brokerId: 'broker-2',
        brokerCounter: 9,
      }
      await store.outgoingUpdate(alice, resent)

      expect(describeQueue(await queueOf())).toEqual(['pubrel#5', 'publish:2'])
      expect(await store.outgoingClearMessageId(alice, { messageId: 5 })).toMatchObject(resent)
    })

    it('outgoingUpdate rejects a packet it cannot find with "no such packet"', async () => {
      await enqueueMany(store, 'alice', 1, 1)
      await expect(store.outgoingUpdate(alice, { ...publish(2), messageId: 3 })).rejects.toThrow(
        'no such packet',
      )
      await expect(store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 4 })).rejects.toThrow(
        'no such packet',
      )
    })

    it('outgoingClearMessageId removes and returns the entry, or undefined', async () => {
      await enqueueMany(store, 'alice', 1, 3)
      await markSent(store, 'alice', 2, 42)

      const cleared = await store.outgoingClearMessageId(alice, { messageId: 42 })

      expect(cleared).toMatchObject({ cmd: 'publish', brokerId: BROKER_ID, brokerCounter: 2 })
      expect(cleared).toMatchObject({ messageId: 42, qos: 1, retain: false, dup: false })
      expect(describeQueue(await queueOf())).toEqual(['publish:1', 'publish:3'])
      expect(await store.outgoingClearMessageId(alice, { messageId: 42 })).toBeUndefined()
    })

    it('outgoingClearMessageId without a messageId clears the unsent entry of that origin', async () => {
      // aedes does this when authorizeForward refuses a live message.
      await enqueueMany(store, 'alice', 1, 3)
      await markSent(store, 'alice', 1, 5)

      const ref = { brokerId: BROKER_ID, brokerCounter: 2 }
      expect(await store.outgoingClearMessageId(alice, ref)).toMatchObject({ brokerCounter: 2 })
      const inFlight = { brokerId: BROKER_ID, brokerCounter: 1 }
      expect(await store.outgoingClearMessageId(alice, inFlight)).toBeUndefined()
      expect(describeQueue(await queueOf())).toEqual(['publish:1#5', 'publish:3'])
    })
  })
}
