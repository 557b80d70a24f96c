import { isQueued } from '../queue-tally.ts'
import type { OutgoingPacket, StoredPacket } from '../types.ts'

/**
 * The sequence numbers of the entries that share an index key, lowest (oldest)
 * first. Nearly always one, kept unwrapped so that a lone entry costs no array.
 */
type Seqs = number | number[]

/**
 * One client's outgoing queue, oldest first, with every per-entry operation
 * in O(1) or O(log n) (the memory store's arrays made a resume quadratic).
 *
 * Each entry gets an increasing sequence number: Map iteration is insertion
 * order and `set` on a key keeps its place, so `#entries` is the queue order,
 * an entry is replaced in place, and "first in queue order" is the lowest
 * sequence number. The indexes point at sequence numbers; a key shared by k
 * entries costs O(k) where it is touched, and k stays small: packet ids wrap
 * at 65,535 and an origin is queued once per subscription that matched it.
 */
export class MemoryQueue {
  #nextSeq = 0
  /** seq -> entry, in queue order */
  readonly #entries = new Map<number, OutgoingPacket>()
  /**
   * messageId -> entries sent with it (a PUBREL keeps its PUBLISH's). Made at
   * the first send: an offline session's queue has sent nothing, and an empty
   * Map costs ~180 bytes.
   */
  #byMessageId: Map<number, Seqs> | undefined
  /**
   * brokerCounter -> entries with a brokerId and that counter: keyed by the
   * counter alone, since one broker's id is on nearly every entry and a
   * string key per entry would cost more than the rare brokerId check.
   */
  readonly #byCounter = new Map<number | undefined, Seqs>()
  /**
   * The never-sent PUBLISH entries in queue order, from `#queuedHead`, for the
   * drop walk. Entries sent or cleared since stay until passed or compacted
   * away: a Set would do, but a fresh iterator walks over every slot its
   * deletions freed until V8 rehashes it, which makes each walk O(n).
   */
  #queuedOrder: number[] = []
  #queuedHead = 0
  /** how many of `#queuedOrder` are still never-sent */
  #queuedCount = 0
  #inflight = 0

  /** Entries queued or in flight. */
  get size(): number {
    return this.#entries.size
  }

  /** Entries sent and not yet acknowledged (they have a messageId), PUBRELs included. */
  get inflight(): number {
    return this.#inflight
  }

  /** The entries, oldest first; live, like any Map iterator. */
  values(): IterableIterator<OutgoingPacket> {
    return this.#entries.values()
  }

  get(seq: number): OutgoingPacket | undefined {
    return this.#entries.get(seq)
  }

  /**
   * Up to `limit` entries after sequence number `after` (-1: from the
   * start), in queue order. Probing each later sequence number costs what was
   * ever queued after `after`, walking the Map what is still held before it:
   * the cheaper of the two is taken.
   */
  page(after: number, limit: number): [seq: number, entry: OutgoingPacket][] {
    const page: [number, OutgoingPacket][] = []
    if (this.#nextSeq - after - 1 <= this.#entries.size) {
      for (let seq = after + 1; seq < this.#nextSeq && page.length < limit; seq++) {
        const entry = this.#entries.get(seq)
        if (entry !== undefined) page.push([seq, entry])
      }
      return page
    }
    for (const [seq, entry] of this.#entries) {
      if (page.length === limit) break
      if (seq > after) page.push([seq, entry])
    }
    return page
  }

  /** Appends an entry at the end of the queue. */
  push(entry: OutgoingPacket): void {
    const seq = this.#nextSeq++
    this.#entries.set(seq, entry)
    this.#index(seq, entry)
  }

  /** The first entry with this messageId that `where` accepts. */
  findByMessageId(
    messageId: number,
    where: (entry: OutgoingPacket) => boolean = () => true,
  ): number | undefined {
    return this.#first(
      this.#byMessageId?.get(messageId),
      (e) => e.messageId === messageId && where(e),
    )
  }

  /** The first entry of this origin that `where` accepts. */
  findByOrigin(
    brokerId: string,
    brokerCounter: number | undefined,
    where: (entry: OutgoingPacket) => boolean = () => true,
  ): number | undefined {
    return this.#first(
      this.#byCounter.get(brokerCounter),
      (e) => e.brokerId === brokerId && e.brokerCounter === brokerCounter && where(e),
    )
  }

  /** Gives the entry a messageId in place (the same object: its queuedAt stamp stays). */
  setMessageId(seq: number, messageId: number | undefined): void {
    const entry = this.#entries.get(seq)
    if (entry === undefined) return
    const wasQueued = isQueued(entry)
    this.#unindexMessageId(seq, entry)
    entry.messageId = messageId
    this.#indexMessageId(seq, entry)
    // Its origin stays; its place among the never-sent changes only if it leaves or joins them.
    if (wasQueued && !isQueued(entry)) this.#queuedCount--
    else if (!wasQueued && isQueued(entry)) this.#addQueued(seq)
  }

  /** Puts `entry` in the place of the entry `seq` (a PUBREL replaces its PUBLISH). */
  replace(seq: number, entry: OutgoingPacket): void {
    const old = this.#entries.get(seq)
    if (old === undefined) return
    this.#unindex(seq, old)
    this.#entries.set(seq, entry)
    this.#index(seq, entry)
  }

  /** Removes the entry `seq` and returns it. */
  delete(seq: number): OutgoingPacket | undefined {
    const entry = this.#entries.get(seq)
    if (entry === undefined) return undefined
    this.#unindex(seq, entry)
    this.#entries.delete(seq)
    return entry
  }

  /**
   * Offers the never-sent PUBLISH entries to `drop`, oldest first, passing
   * over those in flight, and removes each it accepts until it refuses one.
   * Returns whether it refused none.
   */
  dropQueued(drop: (entry: StoredPacket) => boolean): boolean {
    // Re-read each turn: an enqueue from `drop` may compact the array.
    for (; this.#queuedHead < this.#queuedOrder.length; this.#queuedHead++) {
      const seq = this.#queuedOrder[this.#queuedHead]
      const entry = this.#entries.get(seq)
      // sent or cleared since it was queued: passed for good
      if (!isQueued(entry)) continue
      if (!drop(entry)) return false
      this.delete(seq)
    }
    return true
  }

  #first(seqs: Seqs | undefined, matches: (entry: OutgoingPacket) => boolean): number | undefined {
    if (seqs === undefined) return undefined
    if (typeof seqs === 'number') {
      return matches(this.#entries.get(seqs) as OutgoingPacket) ? seqs : undefined
    }
    return seqs.find((seq) => matches(this.#entries.get(seq) as OutgoingPacket))
  }

  #index(seq: number, entry: OutgoingPacket): void {
    this.#indexMessageId(seq, entry)
    if (entry.brokerId != null) addSeq(this.#byCounter, entry.brokerCounter, seq)
    if (isQueued(entry)) this.#addQueued(seq)
  }

  #unindex(seq: number, entry: OutgoingPacket): void {
    this.#unindexMessageId(seq, entry)
    if (entry.brokerId != null) removeSeq(this.#byCounter, entry.brokerCounter, seq)
    if (isQueued(entry)) this.#queuedCount--
  }

  #indexMessageId(seq: number, entry: OutgoingPacket): void {
    if (entry.messageId == null) return
    this.#byMessageId ??= new Map()
    addSeq(this.#byMessageId, entry.messageId, seq)
    this.#inflight++
  }

  #unindexMessageId(seq: number, entry: OutgoingPacket): void {
    if (entry.messageId == null || this.#byMessageId === undefined) return
    removeSeq(this.#byMessageId, entry.messageId, seq)
    this.#inflight--
  }

  #addQueued(seq: number): void {
    this.#queuedCount++
    const order = this.#queuedOrder
    const last = order.length > 0 ? order[order.length - 1] : -1
    if (seq > last) {
      order.push(seq)
      // Compacted once the passed-over outnumber the never-sent: O(1) per entry, amortized.
      if (order.length - this.#queuedHead > 2 * this.#queuedCount + 64) this.#compactQueued()
      return
    }
    // A sent entry became never-sent again (outgoingUpdate without a
    // messageId): aedes never does this, so a re-sort is cheap enough.
    this.#compactQueued()
    const at = insertionPoint(this.#queuedOrder, seq)
    if (this.#queuedOrder[at] !== seq) this.#queuedOrder.splice(at, 0, seq)
  }

  #compactQueued(): void {
    this.#queuedOrder = this.#queuedOrder
      .slice(this.#queuedHead)
      .filter((seq) => isQueued(this.#entries.get(seq)))
    this.#queuedHead = 0
  }
}

function addSeq<K>(index: Map<K, Seqs>, key: K, seq: number): void {
  const seqs = index.get(key)
  if (seqs === undefined) index.set(key, seq)
  else if (typeof seqs === 'number') index.set(key, seqs < seq ? [seqs, seq] : [seq, seqs])
  else seqs.splice(insertionPoint(seqs, seq), 0, seq)
}

function removeSeq<K>(index: Map<K, Seqs>, key: K, seq: number): void {
  const seqs = index.get(key)
  if (seqs === seq) index.delete(key)
  else if (Array.isArray(seqs)) {
    const at = seqs.indexOf(seq)
    if (at >= 0) seqs.splice(at, 1)
    if (seqs.length === 1) index.set(key, seqs[0])
  }
}

/** Where `seq` goes in ascending `seqs`: nearly always the end, as seqs only grow. */
function insertionPoint(seqs: number[], seq: number): number {
  let low = 0
  let high = seqs.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (seqs[middle] < seq) low = middle + 1
    else high = middle
  }
  return low
}
