import { Readable } from 'node:stream'
import { outgoingEntryOf } from '../listing.ts'
import { copyOutgoing, copyPublish, isPubrel } from '../packet.ts'
import { payloadBytes } from '../queue-tally.ts'
import type {
  OutgoingEntry,
  OutgoingPacket,
  OutgoingRef,
  QueuedEntry,
  QueueTotals,
  StoredPacket,
} from '../types.ts'
import { decodeOutgoing, decodePublish, encodeOutgoing, originOf } from './codec.ts'
import type { RedisKeys } from './keys.ts'
import { int, list, type Scripts, text } from './scripts.ts'

/** Entries read per round trip while streaming a queue: never the whole queue at once. */
export const OUTGOING_PAGE_SIZE = 500
/** Never-sent entries read per round trip while walking a queue for drops. */
const DROP_PAGE_SIZE = 64
/**
 * Entries read per round trip for an operator's listing: each comes whole
 * (payload and all, up to --max-packet-size), so few at a time.
 */
const LIST_PAGE_SIZE = 64

/**
 * The outgoing queues: a copy of each packet per client, indexed by
 * messageId and origin in Redis (see lua-outgoing.ts), so any broker of the
 * cluster can act on a PUBACK for a message another one sent.
 */
export class RedisOutgoing {
  readonly #scripts: Scripts
  readonly #keys: RedisKeys
  readonly #now: () => number
  readonly #lastSeq: () => Promise<string | null>

  constructor(
    scripts: Scripts,
    keys: RedisKeys,
    now: () => number,
    lastSeq: () => Promise<string | null>,
  ) {
    this.#scripts = scripts
    this.#keys = keys
    this.#now = now
    this.#lastSeq = lastSeq
  }

  /** Queues a copy of the packet for each client, in this order, in one script. */
  async enqueue(clientIds: readonly string[], packet: StoredPacket): Promise<void> {
    if (clientIds.length === 0) return
    const copy = copyPublish(packet)
    const keys = [this.#keys.seq, ...clientIds.flatMap((id) => this.#keys.outgoing(id))]
    const args = [encodeOutgoing(copy), payloadBytes(copy.payload), this.#now(), originOf(copy)]
    await this.#scripts.run('enqueue', keys, args)
  }

  /** See `AedesPersistence.outgoingUpdate`; rejects with Error('no such packet'). */
  async update(clientId: string, packet: OutgoingPacket): Promise<void> {
    const copy = copyOutgoing(packet)
    const bytes = isPubrel(copy) ? '' : payloadBytes(copy.payload)
    const args = [
      originOf(packet),
      packet.messageId ?? '',
      encodeOutgoing(copy),
      bytes,
      packet.brokerId ?? '',
    ]
    const found = await this.#scripts.run('update', this.#keys.outgoing(clientId), args)
    if (int(found) !== 1) throw new Error('no such packet')
  }

  /** See `AedesPersistence.outgoingClearMessageId`. */
  async clear(clientId: string, ref: OutgoingRef): Promise<OutgoingPacket | undefined> {
    const byOrigin = ref.brokerCounter == null ? '' : originOf(ref)
    const args = [ref.messageId ?? '', ref.messageId == null ? byOrigin : '']
    const found = list(await this.#scripts.run('clear', this.#keys.outgoing(clientId), args))
    if (found.length < 2) return undefined
    return decodeOutgoing(found[0] as Buffer, text(found[1]))
  }

  /**
   * Streams the client's queue as it is when called, oldest first, a page at
   * a time with backpressure: the last sequence number is read at once, so
   * what is queued afterwards is left out; entries cleared meanwhile are skipped.
   */
  stream(clientId: string): Readable {
    const last = this.#lastSeq()
    // Read when the stream is read; a stream never read must not leave an unhandled rejection.
    last.catch(() => {})
    return Readable.from(this.#pages(clientId, last))
  }

  async *#pages(clientId: string, lastSeq: Promise<string | null>): AsyncGenerator<OutgoingPacket> {
    const last = (await lastSeq) ?? '0'
    const keys = [this.#keys.queue(clientId), this.#keys.entries(clientId)]
    let after = '0'
    for (;;) {
      const page = list(await this.#scripts.run('page', keys, [after, last, OUTGOING_PAGE_SIZE]))
      for (let i = 0; i < page.length; i += 3) {
        yield decodeOutgoing(page[i + 1] as Buffer, text(page[i + 2]))
      }
      if (page.length < OUTGOING_PAGE_SIZE * 3) return
      after = text(page[page.length - 3])
    }
  }

  /**
   * A page of the client's queue for an operator, after sequence number
   * `after`, read {@link LIST_PAGE_SIZE} entries a round trip: each entry is
   * decoded whole and only its payload's head kept.
   */
  async list(clientId: string, after: number, limit: number): Promise<OutgoingEntry[]> {
    const keys = [this.#keys.queue(clientId), this.#keys.entries(clientId)]
    const entries: OutgoingEntry[] = []
    let from = after
    while (entries.length < limit) {
      const want = Math.min(LIST_PAGE_SIZE, limit - entries.length)
      const page = list(await this.#scripts.run('listQueue', keys, [from, want]))
      for (let i = 0; i < page.length; i += 4) {
        const packet = decodeOutgoing(page[i + 1] as Buffer, text(page[i + 2]))
        const queuedAt = text(page[i + 3])
        entries.push(
          outgoingEntryOf(int(page[i]), packet, queuedAt === '' ? null : Number(queuedAt)),
        )
      }
      // each read is one script, so a short page is the end of the queue
      if (page.length < want * 4) break
      from = int(page[page.length - 4])
    }
    return entries
  }

  /** The client's never-sent PUBLISH entries and their payload bytes, as Redis holds them. */
  async totals(clientId: string): Promise<QueueTotals> {
    const keys = [this.#keys.unsent(clientId), this.#keys.entries(clientId)]
    const [count, bytes] = list(await this.#scripts.run('totals', keys, []))
    return { count: int(count), bytes: int(bytes) }
  }

  /**
   * See `QueuePolicyStore.dropOldestQueued`. Reads the oldest never-sent
   * entries (the first read is sent before this returns, so it is answered
   * before an enqueue issued after it), offers them to `drop`, then removes
   * those accepted in one script, skipping any sent meanwhile. In a cluster
   * another broker may enqueue between the read and the removal: the caps
   * are then approximate.
   */
  async dropOldest(
    clientId: string,
    drop: (entry: QueuedEntry, left: QueueTotals) => boolean,
  ): Promise<void> {
    const keys = [this.#keys.unsent(clientId), this.#keys.entries(clientId), this.#keys.seq]
    const read = (after: string, last: string) =>
      this.#scripts.run('unsentPage', keys, [after, last, DROP_PAGE_SIZE])
    let page = list(await read('0', '+inf'))
    const left: QueueTotals = { count: int(page[0]), bytes: int(page[1]) }
    const last = text(page[2])
    const dropped: string[] = []
    walk: for (;;) {
      for (let i = 3; i < page.length; i += 3) {
        const packet = decodePublish(page[i + 1] as Buffer)
        const bytes = int(page[i + 2])
        if (!drop({ topic: packet.topic, qos: packet.qos, bytes }, { ...left })) break walk
        dropped.push(text(page[i]))
        left.count--
        left.bytes -= bytes
      }
      if (page.length < 3 + DROP_PAGE_SIZE * 3) break
      page = list(await read(text(page[page.length - 3]), last))
    }
    if (dropped.length > 0) await this.#scripts.run('drop', this.#keys.outgoing(clientId), dropped)
  }
}
