import { Readable } from 'node:stream'
import { isAedesConnection, nextPacketId, tooLargeFor } from '../aedes/connection.ts'
import type { DropReason } from '../policies/counters.ts'
import type {
  ClientRef,
  NumberedEntry,
  OutgoingPacket,
  SessionStore,
  StoredPacket,
} from '../store/types.ts'
import { expireQueued } from './message-expiry.ts'
import { claim, endResume } from './resume-claims.ts'
import { resumingClient, writePage } from './resume-writer.ts'

// Queued messages numbered per commit when a session resumes.
const RESUME_PAGE = 256

/** What identifies a queued message and the packet id it was given. */
export function originKey(packet: StoredPacket): string {
  return `${packet.brokerId}:${packet.brokerCounter}:${packet.messageId}`
}

/**
 * An in-flight window (`--max-inflight`, broker/policies/inflight.ts) that a
 * resumed session's queue is sent through, a slot per QoS 1/2 PUBLISH or
 * PUBREL, before any live message.
 */
export interface ResumeWindow {
  /** Resolves with the free slots (at least one), or 0 once the connection is closed. */
  free(): Promise<number>
  /** A message with this packet id was sent. */
  occupy(messageId: number): void
  /** The queue is drained: live messages may go. */
  resumed(): void
}

/** The clock a resumed queue's message lifetimes run on, and where the messages dropped are told. */
export interface QueueExpiry {
  now(): number
  dropped(clientId: string, packets: readonly StoredPacket[], why: DropReason): void
}

/**
 * A PUBLISH sent before (it has a packet id) goes again with DUP=1
 * [MQTT-3.3.1-1], [MQTT-4.4.0-1]; the operator's queue listing shows it so.
 */
export function resendsAsDuplicate(entry: { cmd: string; messageId?: number | null }): boolean {
  return entry.cmd === 'publish' && entry.messageId != null
}

function isQos0(packet: OutgoingPacket): boolean {
  return packet.cmd === 'publish' && (packet as StoredPacket).qos === 0
}

/** The resume of an empty queue: nothing to send, the same end as {@link resumeStream}'s. */
export function emptyResume(client: ClientRef, window: ResumeWindow | undefined): Readable {
  endResume(client)
  window?.resumed()
  return Readable.from(NOTHING)
}

const NOTHING: readonly OutgoingPacket[] = []

/**
 * Streams a session's queue for aedes to send on resume. Messages sent
 * before (they have a packet id) are resent with DUP=1 [MQTT-3.3.1-1],
 * [MQTT-4.4.0-1]. Messages never sent get their packet id here, a page at a
 * time in one commit, from the connection's own id sequence exactly as
 * aedes would pick it, instead of one commit per message as aedes' resume
 * asks for them (a crash then still resends them with the same id); their
 * origin keys go to `assigned`, for `outgoingUpdate` to skip.
 *
 * A QoS 0 message queued with `--queue-qos0` is sent once, without a packet
 * id, and leaves the queue (committed) before it goes [MQTT-4.3.1]. With an
 * in-flight window the queue goes a slot at a time, before any live message.
 * MQTT 5: a message, queued or in flight, whose lifetime ran out is dropped
 * from the store and counted instead of sent; the others carry what is left
 * of it [MQTT-5: 3.3.2-5] [MQTT-5: 3.3.2-6] (`expiry`, on the broker clock).
 */
export function resumeStream(
  store: SessionStore,
  client: ClientRef,
  assigned: Set<string>,
  window: ResumeWindow | undefined,
  expiry?: QueueExpiry,
): Readable {
  let closed = false
  async function* resume(): AsyncGenerator<OutgoingPacket> {
    try {
      let page: OutgoingPacket[] = []
      for await (const packet of store.outgoingStream(client)) {
        if (closed) return
        page.push(packet as OutgoingPacket)
        if (page.length === RESUME_PAGE) {
          yield* send(page)
          page = []
        }
      }
      yield* send(page)
    } finally {
      endResume(client)
      window?.resumed()
    }
  }

  async function* send(all: OutgoingPacket[]): AsyncGenerator<OutgoingPacket> {
    const page = await dropExpired(all)
    if (!window) {
      const numbered = await assignIds(page)
      // written here a page at a time; aedes gets nothing to write
      const to = resumingClient(client)
      if (!to) yield* numbered
      // a closed connection numbers no more pages
      else if (!(await writePage(to, numbered, store))) closed = true
      return
    }
    // A run of as many messages as there are free slots, numbered in one commit.
    let next = 0
    while (next < page.length) {
      let free = await window.free()
      if (free === 0) return
      const run: OutgoingPacket[] = []
      while (next < page.length && (free > 0 || isQos0(page[next]))) {
        if (!isQos0(page[next])) free--
        run.push(page[next++])
      }
      for (const packet of await assignIds(run)) {
        if (!isQos0(packet) && packet.messageId != null) window.occupy(packet.messageId)
        yield packet
      }
    }
  }

  /**
   * MQTT 5: the messages whose lifetime ran out are dropped, the others
   * carry what is left of it; so are those over the client's Maximum
   * Packet Size [MQTT-3.1.2-25], as if delivered.
   */
  async function dropExpired(page: OutgoingPacket[]): Promise<OutgoingPacket[]> {
    if (!expiry) return page
    const { send, expired } = expireQueued(page, expiry.now())
    const tooLarge = isAedesConnection(client)
      ? (send.filter(
          (e) => e.cmd === 'publish' && tooLargeFor(client, e as StoredPacket),
        ) as StoredPacket[])
      : []
    if (expired.length === 0 && tooLarge.length === 0) return send
    await Promise.all(
      [...expired, ...tooLarge].map(({ messageId, brokerId, brokerCounter }) =>
        store.outgoingClearMessageId(client, { messageId, brokerId, brokerCounter }),
      ),
    )
    if (expired.length > 0) expiry.dropped(client.id, expired, 'expired')
    if (tooLarge.length > 0) expiry.dropped(client.id, tooLarge, 'too-large')
    return send.filter((e) => !tooLarge.includes(e as StoredPacket))
  }

  async function assignIds(page: OutgoingPacket[]): Promise<OutgoingPacket[]> {
    const writes: Promise<unknown>[] = []
    // a store that can number the page in one go does
    const pages = store.outgoingNumber
    const numbered: NumberedEntry[] = []
    // never-sent messages already on their way live are not sent again
    const unclaimed = page.filter(
      (entry) =>
        entry.cmd !== 'publish' ||
        (entry as StoredPacket).messageId != null ||
        claim(client, entry as StoredPacket, 'queue'),
    )
    const out = unclaimed.map((entry) => {
      if (entry.cmd !== 'publish') return entry
      const packet = entry as StoredPacket
      if (packet.qos === 0) {
        const { brokerId, brokerCounter } = packet
        writes.push(store.outgoingClearMessageId(client, { brokerId, brokerCounter }))
        return packet
      }
      if (resendsAsDuplicate(packet)) return { ...packet, dup: true }
      // a plain ref (the store contract's) has no id sequence: aedes numbers it
      if (!isAedesConnection(client)) return packet
      const messageId = nextPacketId(client)
      const sent = { ...packet, messageId }
      if (pages) numbered.push({ entry, messageId })
      else writes.push(store.outgoingUpdate(client, sent))
      assigned.add(originKey(sent))
      return sent
    })
    if (pages && numbered.length > 0) writes.push(pages.call(store, client, numbered))
    // The QoS 0 clears are write-behind: sent at most once means committed first.
    if (writes.length > 0) writes.push(store.flush())
    await Promise.all(writes)
    return out
  }

  return Readable.from(resume())
}
