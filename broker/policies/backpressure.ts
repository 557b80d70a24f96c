/**
 * A connection's deliveries count as behind from this many messages or
 * bytes handed to it and not yet written, and as caught up again below the
 * lower marks. Between the two, nothing changes, so a reader hovering at
 * the mark does not pause and resume the publishers on every message.
 */
export const BEHIND_MESSAGES = 1000
export const BEHIND_BYTES = 1024 * 1024
export const CAUGHT_UP_MESSAGES = 250
export const CAUGHT_UP_BYTES = 256 * 1024

/** What a connection has been handed and not yet written. */
export interface Backlog {
  messages: number
  bytes: number
}

export function isBehind(backlog: Backlog): boolean {
  return backlog.messages >= BEHIND_MESSAGES || backlog.bytes >= BEHIND_BYTES
}

export function isCaughtUp(backlog: Backlog): boolean {
  return backlog.messages < CAUGHT_UP_MESSAGES && backlog.bytes < CAUGHT_UP_BYTES
}

/** PUBLISHes let go per held-back publisher per step once the connections behind caught up. */
export const RELEASED_PER_STEP = 100

export interface BackpressureCounts {
  /** Times the publishers were held back: a first connection fell behind. */
  pauses: number
  /** Readers that stopped: behind and nothing written to them for `stallMs`. */
  stalls: number
}

/**
 * Backpressure instead of eviction. When the broker hands a connection
 * messages faster than they leave its socket, the broker is the one behind:
 * it stops reading from the publishers that feed that connection (their
 * PUBLISHes wait in {@link wait}; aedes reads no more of a connection until
 * its packets are handled, and TCP does the rest) until every connection
 * caught up. Nothing is dropped and no reader is closed because the broker
 * is slow.
 *
 * Only a publisher whose message was handed to a connection while it was
 * behind ({@link fed}) is held, as RabbitMQ's credit flow blocks only the
 * publishers of a queue that is behind: a bystander publishing elsewhere
 * goes on. A publisher's first message to a connection behind still goes;
 * the bound is one read per publisher, not one per message.
 *
 * What waits is let go a step at a time, {@link RELEASED_PER_STEP} per
 * publisher in turn, and not while a connection is behind again: a
 * publisher's read can hold thousands of PUBLISHes, and letting them all go
 * at once put every subscriber that far behind again, and a bystander's one
 * PUBLISH behind all of them. A publisher's PUBLISHes keep their order.
 *
 * A reader that truly stops must not hold everyone back: one that is behind
 * and has had nothing written for `stallMs` no longer counts, the
 * publishers go on, and its backlog grows until `--max-pending-bytes`
 * closes it (delivery.ts), its persistent session kept. It counts again
 * once it has caught up.
 */
export class Backpressure {
  readonly #stallMs: number
  readonly #now: () => number
  /** Connections behind, with when something was last written to each. */
  readonly #behind = new Map<object, number>()
  /** The publishers (ClientIDs) whose messages were handed to each connection while it was behind. */
  readonly #feeders = new Map<object, Set<string>>()
  /** Readers that stopped; they do not count until they catch up. */
  readonly #stalled = new WeakSet<object>()
  /** The PUBLISHes held back, per publisher, in the order they came; a publisher's turn by its place. */
  readonly #held = new Map<object, (() => void)[]>()
  #stepping = false
  #timer: NodeJS.Timeout | null = null
  #closed = false
  readonly counts: BackpressureCounts = { pauses: 0, stalls: 0 }
  /** Told of each reader that stopped (for the log). */
  onStall: (conn: object) => void = () => {}

  constructor(stallMs: number, now: () => number = performance.now.bind(performance)) {
    this.#stallMs = stallMs
    this.#now = now
  }

  /** The connection is behind on its deliveries. */
  behind(conn: object): void {
    if (this.#closed || this.#behind.has(conn) || this.#stalled.has(conn)) return
    if (this.#behind.size === 0) this.counts.pauses++
    this.#behind.set(conn, this.#now())
    this.#arm(this.#stallMs)
  }

  /** A message of this publisher (its ClientID) was handed to the connection. */
  fed(conn: object, publisherId: string): void {
    if (!this.#behind.has(conn)) return
    const feeders = this.#feeders.get(conn)
    if (feeders) feeders.add(publisherId)
    else this.#feeders.set(conn, new Set([publisherId]))
  }

  /** Something was written to the connection. */
  progress(conn: object): void {
    if (this.#behind.has(conn)) this.#behind.set(conn, this.#now())
  }

  /** The connection caught up, or closed. */
  caughtUp(conn: object): void {
    this.#stalled.delete(conn)
    this.#feeders.delete(conn)
    if (this.#behind.delete(conn) && this.#behind.size === 0) this.#letGo()
  }

  /**
   * Null when the publisher's PUBLISH may go on now; else resolves when it
   * may, once every connection caught up. One that comes while earlier ones
   * of its publisher wait, waits too.
   */
  wait(publisher: { readonly id: string }): Promise<void> | null {
    const held = this.#held.get(publisher)
    if (held === undefined && !this.#feeds(publisher.id)) return null
    return new Promise((resolve) => {
      if (held) held.push(resolve)
      else this.#held.set(publisher, [resolve])
    })
  }

  /** Whether the publisher fed a connection that is behind now. */
  #feeds(publisherId: string): boolean {
    if (this.#behind.size === 0) return false
    for (const feeders of this.#feeders.values()) if (feeders.has(publisherId)) return true
    return false
  }

  /** The broker is closing: nothing is held back any more. */
  close(): void {
    this.#closed = true
    this.#behind.clear()
    this.#feeders.clear()
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const held = [...this.#held.values()]
    this.#held.clear()
    for (const waiting of held) for (const resolve of waiting) resolve()
  }

  #arm(ms: number): void {
    if (this.#timer !== null) return
    this.#timer = setTimeout(this.#check, ms)
    this.#timer.unref()
  }

  readonly #check = (): void => {
    this.#timer = null
    const now = this.#now()
    let next = this.#stallMs
    for (const [conn, last] of this.#behind) {
      const idle = now - last
      if (idle < this.#stallMs) {
        next = Math.min(next, this.#stallMs - idle)
        continue
      }
      this.#behind.delete(conn)
      this.#feeders.delete(conn)
      this.#stalled.add(conn)
      this.counts.stalls++
      this.onStall(conn)
    }
    if (this.#behind.size === 0) this.#letGo()
    else this.#arm(Math.max(1, next))
  }

  #letGo(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    if (this.#stepping || this.#held.size === 0) return
    this.#stepping = true
    setImmediate(this.#step)
  }

  /**
   * Lets a step's PUBLISHes go, then waits two loop turns, for their commit
   * and their deliveries to be handed out, before the next step: by then a
   * connection they put behind again has said so.
   */
  readonly #step = (): void => {
    if (this.#behind.size > 0) {
      this.#stepping = false
      return
    }
    for (const [publisher, waiting] of [...this.#held]) {
      const now = waiting.splice(0, RELEASED_PER_STEP)
      // a publisher's turn moves to the back
      this.#held.delete(publisher)
      if (waiting.length > 0) this.#held.set(publisher, waiting)
      for (const resolve of now) resolve()
    }
    if (this.#held.size === 0) {
      this.#stepping = false
      return
    }
    setImmediate(() => setImmediate(this.#step))
  }
}
