import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutgoingEntry, SessionStore, StoredPacket } from '../../broker/store/types.ts'
import { enqueueMany, markSent, type OpenStore, publish } from './contract-helpers.ts'

const T0 = 1_700_000_000_000

/** The payload heads of a listing as text (the contract's payloads are `message <n>`). */
function heads(entries: OutgoingEntry[]): (string | null)[] {
  return entries.map((entry) => entry.payloadHead?.toString('utf8') ?? null)
}

function retained(topic: string, payload: Buffer | string, qos: 0 | 1 | 2 = 1): StoredPacket {
  return { cmd: 'publish', topic, payload, qos, retain: true, dup: false }
}

/** What the operator console lists: a session's queue and the retained messages, a page at a time. */
export function describeOperatorListContract(open: OpenStore): void {
  describe('operator listings', () => {
    let store: SessionStore
    let close: () => Promise<void>
    let now = T0
    const alice = { id: 'alice' }

    beforeEach(async () => {
      now = T0
      ;({ store, close } = await open({ now: () => now }))
    })
    afterEach(() => close())

    it('listOutgoing pages through a queue in order, each page after the last seq of the one before', async () => {
      // another client's entries in between: sequence numbers are not contiguous
      for (let counter = 1; counter <= 7; counter++) {
        await enqueueMany(store, 'alice', counter, 1)
        if (counter % 2 === 0) await enqueueMany(store, 'bob', counter, 1)
      }
      const pages: OutgoingEntry[][] = []
      let after: number | undefined
      for (;;) {
        const page = await store.listOutgoing('alice', { after, limit: 3 })
        if (page.length === 0) break
        pages.push(page)
        after = page[page.length - 1].seq
      }

      expect(pages.map(heads)).toEqual([
        ['message 1', 'message 2', 'message 3'],
        ['message 4', 'message 5', 'message 6'],
        ['message 7'],
      ])
      const seqs = pages.flat().map((entry) => entry.seq)
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
      expect(new Set(seqs).size).toBe(7)
      expect(heads(await store.listOutgoing('bob', { limit: 10 }))).toEqual([
        'message 2',
        'message 4',
        'message 6',
      ])
    })

    it('listOutgoing tells queued entries from in-flight ones and shows what each holds', async () => {
      await store.outgoingEnqueueCombi([{ clientId: 'alice' }], { ...publish(1), retain: true })
      now += 10
      await store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(2, 2))
      await markSent(store, 'alice', 1, 11)

      const [sent, queued] = await store.listOutgoing('alice', { limit: 10 })
      expect(sent).toMatchObject({
        cmd: 'publish',
        messageId: 11,
        topic: 'sensors/temp',
        qos: 1,
        dup: false,
        retain: true,
        payloadBytes: 9,
        queuedAt: T0,
      })
      expect(queued).toMatchObject({
        cmd: 'publish',
        messageId: null,
        qos: 2,
        retain: false,
        queuedAt: T0 + 10,
      })
      expect(heads([sent, queued])).toEqual(['message 1', 'message 2'])
    })

    it('listOutgoing shows a QoS 2 PUBREL in the place of its PUBLISH, queued at the same time', async () => {
      for (let counter = 1; counter <= 3; counter++) {
        await store.outgoingEnqueueCombi([{ clientId: 'alice' }], publish(counter, 2))
        now += 10
      }
      await store.outgoingUpdate(alice, { ...publish(2, 2), messageId: 12 })
      await store.outgoingUpdate(alice, { cmd: 'pubrel', messageId: 12 })

      const entries = await store.listOutgoing('alice', { limit: 10 })
      expect(entries.map((entry) => entry.cmd)).toEqual(['publish', 'pubrel', 'publish'])
      expect(entries[1]).toEqual({
        seq: entries[1].seq,
        cmd: 'pubrel',
        messageId: 12,
        topic: null,
        qos: 2,
        dup: false,
        retain: null,
        payloadBytes: null,
        payloadHead: null,
        queuedAt: T0 + 10,
      })
    })

    it('an entry whose PUBACK came is no longer listed', async () => {
      await enqueueMany(store, 'alice', 1, 2)
      await markSent(store, 'alice', 1, 5)
      if (store.outgoingAcknowledge) await store.outgoingAcknowledge(alice, 5)
      else await store.outgoingClearMessageId(alice, { messageId: 5 })
      await store.flush()

      expect(heads(await store.listOutgoing('alice', { limit: 10 }))).toEqual(['message 2'])
    })

    it('listOutgoing carries the first 64 bytes of a payload and its whole size in bytes', async () => {
      const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i))
      const text = 'é'.repeat(40) // 80 bytes of UTF-8
      await store.outgoingEnqueueCombi([{ clientId: 'alice' }], { ...publish(1), payload: bytes })
      await store.outgoingEnqueueCombi([{ clientId: 'alice' }], { ...publish(2), payload: text })

      const [binary, string] = await store.listOutgoing('alice', { limit: 10 })
      expect(binary.payloadBytes).toBe(100)
      expect(binary.payloadHead).toEqual(bytes.subarray(0, 64))
      expect(string.payloadBytes).toBe(80)
      expect(string.payloadHead).toEqual(Buffer.from(text).subarray(0, 64))
    })

    it('listOutgoing of a client with nothing queued is empty', async () => {
      await enqueueMany(store, 'alice', 1, 1)
      expect(await store.listOutgoing('nobody', { limit: 10 })).toEqual([])
      const [only] = await store.listOutgoing('alice', { limit: 10 })
      expect(await store.listOutgoing('alice', { after: only.seq, limit: 10 })).toEqual([])
    })

    it('listRetained pages in UTF-8 byte order, by prefix and after a topic', async () => {
      // by UTF-16 code unit U+1F600 (a surrogate pair) would sort before U+FFFD
      const topics = ['b/1', 'a/2', 'z/\u{1F600}', 'a/10', 'z/\uFFFD', 'a/1', 'ab']
      for (const topic of topics) await store.storeRetained(retained(topic, `on ${topic}`))
      const list = async (range: Parameters<SessionStore['listRetained']>[0]) =>
        (await store.listRetained(range)).map((entry) => entry.topic)

      expect(await list({ limit: 100 })).toEqual([
        'a/1',
        'a/10',
        'a/2',
        'ab',
        'b/1',
        'z/\uFFFD',
        'z/\u{1F600}',
      ])
      expect(await list({ prefix: 'a/', limit: 2 })).toEqual(['a/1', 'a/10'])
      expect(await list({ prefix: 'a/', after: 'a/10', limit: 2 })).toEqual(['a/2'])
      expect(await list({ prefix: 'a/', after: 'a/2', limit: 2 })).toEqual([])
      // a cursor before the prefix starts at the prefix
      expect(await list({ prefix: 'b', after: 'a/2', limit: 5 })).toEqual(['b/1'])
      expect(await list({ after: 'z/\uFFFD', limit: 5 })).toEqual(['z/\u{1F600}'])
    })

    it('listRetained shows QoS, size and payload head, and leaves out a topic cleared by an empty payload', async () => {
      const long = Buffer.alloc(200, 0x41)
      await store.storeRetained(retained('plant/boiler', long, 2))
      await store.storeRetained(retained('plant/gone', 'soon gone', 0))
      await store.storeRetained(retained('plant/gone', Buffer.alloc(0), 0))

      expect(await store.listRetained({ prefix: 'plant/', limit: 10 })).toEqual([
        { topic: 'plant/boiler', qos: 2, payloadBytes: 200, payloadHead: long.subarray(0, 64) },
      ])
    })

    it('listIncoming lists the QoS 2 PUBLISHes awaiting PUBREL in packet id order, and not one released', async () => {
      const long = Buffer.alloc(100, 0x42)
      const incoming = (messageId: number, payload: Buffer | string): StoredPacket => ({
        ...publish(messageId, 2),
        payload,
        messageId,
        retain: messageId === 300,
      })
      await store.incomingStorePacket(alice, incoming(300, long))
      await store.incomingStorePacket(alice, incoming(7, 'seven'))
      await store.incomingStorePacket(alice, incoming(42, 'gone'))
      await store.incomingStorePacket({ id: 'bob' }, incoming(1, 'bob'))
      await store.incomingDelPacket(alice, { messageId: 42 })

      expect(await store.listIncoming('alice', 10)).toEqual([
        {
          messageId: 7,
          topic: 'sensors/temp',
          qos: 2,
          dup: false,
          retain: false,
          payloadBytes: 5,
          payloadHead: Buffer.from('seven'),
        },
        {
          messageId: 300,
          topic: 'sensors/temp',
          qos: 2,
          dup: false,
          retain: true,
          payloadBytes: 100,
          payloadHead: long.subarray(0, 64),
        },
      ])
      expect((await store.listIncoming('alice', 1)).map((e) => e.messageId)).toEqual([7])
      expect(await store.listIncoming('nobody', 10)).toEqual([])
    })
  })
}
