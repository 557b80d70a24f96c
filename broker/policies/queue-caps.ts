import type { Config } from '../config.ts'
import { payloadBytes } from '../store/queue-tally.ts'
import type { QueueTotals, SessionStore, StoredPacket } from '../store/types.ts'
import type { DropReason, PolicyCounters } from './counters.ts'
import type { Drop, DropReporter } from './drops.ts'

/** The per-session queue caps; 0 means no cap. */
export interface QueueLimits {
  maxMessages: number
  maxBytes: number
  /** `oldest`: drop the oldest queued, not yet sent; `newest`: refuse the new message. */
  dropPolicy: 'oldest' | 'newest'
}

export function queueLimits(
  config: Pick<Config, 'queueMaxMessages' | 'queueMaxBytes' | 'queueDropPolicy'>,
): QueueLimits {
  return {
    maxMessages: config.queueMaxMessages,
    maxBytes: config.queueMaxBytes,
    dropPolicy: config.queueDropPolicy,
  }
}

/** Which cap one more message of `bytes` would break in a queue holding `held`; null if it fits. */
export function overflow(limits: QueueLimits, held: QueueTotals, bytes: number): DropReason | null {
  if (limits.maxMessages > 0 && held.count + 1 > limits.maxMessages) return 'queue-full'
  if (limits.maxBytes > 0 && held.bytes + bytes > limits.maxBytes) return 'queue-bytes'
  return null
}

/** A message bigger than the byte cap fits no queue: it is refused whatever the policy. */
export function tooBig(limits: QueueLimits, bytes: number): boolean {
  return limits.maxBytes > 0 && bytes > limits.maxBytes
}

export interface QueueCapsDeps {
  limits: QueueLimits
  store: Pick<SessionStore, 'queuedTotals' | 'dropOldestQueued' | 'outgoingEnqueueCombi'>
  reporter: DropReporter
  counters: PolicyCounters
  /**
   * Whether a connection of this ClientID is open: its queue is then what
   * waits behind its in-flight window.
   */
  connected: (clientId: string) => boolean
}

/**
 * Queues copies of a message for sessions, each within its caps. A session
 * that is not connected is capped here, on the store's queue: what the cap
 * drops is removed in the same transaction as the new copy is stored (and
 * as the session's dropped count is raised), so all commit before the
 * publisher's PUBACK, or none does. (A connected
 * session is capped on the messages waiting for its in-flight window, see
 * `inflight.ts`; without a window its messages go straight to the connection.)
 *
 * Resolves with how many sessions refused the new message (`newest`, or too
 * big for any queue), from the totals the cap read anyway: the publisher's
 * MQTT 5 PUBACK/PUBREC says so (0x97, rules/publish.ts) at no extra cost.
 */
export class QueueCaps {
  readonly #deps: QueueCapsDeps
  readonly #limited: boolean
  /** Per capped session on an async store: the end of its latest enqueue. */
  readonly #turns = new Map<string, Promise<void>>()

  constructor(deps: QueueCapsDeps) {
    this.#deps = deps
    this.#limited = deps.limits.maxMessages > 0 || deps.limits.maxBytes > 0
  }

  async enqueue(clients: { clientId: string }[], packet: StoredPacket): Promise<number> {
    const held = new Map<string, QueueTotals | Promise<QueueTotals>>()
    if (this.#limited) {
      for (const { clientId } of clients) {
        if (!this.#deps.connected(clientId))
          held.set(clientId, this.#deps.store.queuedTotals(clientId))
      }
    }
    const pending = [...held].filter((entry): entry is [string, Promise<QueueTotals>] =>
      isPromise(entry[1]),
    )
    // A store with counters in a shared server (redis) answers with promises;
    // memory and sqlite answer at once, and then nothing below leaves this tick.
    if (pending.length === 0)
      return this.#enqueue(clients, packet, held as Map<string, QueueTotals>)
    // Read, decide, write: one message at a time per capped session, or two
    // publishes read the same totals and both fit (within this broker; see
    // dropOldestQueued for other cluster nodes).
    return this.#inTurn(
      pending.map(([clientId]) => clientId),
      async () => {
        const totals = await Promise.all(
          pending.map(([clientId]) => this.#deps.store.queuedTotals(clientId)),
        )
        for (const [i, [clientId]] of pending.entries()) held.set(clientId, totals[i])
        return this.#enqueue(clients, packet, held as Map<string, QueueTotals>, false)
      },
    )
  }

  /** Runs `work` once every earlier turn of these sessions has ended. */
  #inTurn<T>(clientIds: string[], work: () => Promise<T>): Promise<T> {
    const before = Promise.all(clientIds.map((id) => this.#turns.get(id)))
    const turn = before.then(work)
    const settled = turn.then(
      () => {},
      () => {},
    )
    for (const id of clientIds) this.#turns.set(id, settled)
    void settled.then(() => {
      for (const id of clientIds) if (this.#turns.get(id) === settled) this.#turns.delete(id)
    })
    return turn
  }

  /** `held`: the totals of each capped session; `sameTick`: drops are made before this returns. */
  async #enqueue(
    clients: { clientId: string }[],
    packet: StoredPacket,
    held: Map<string, QueueTotals>,
    sameTick = true,
  ): Promise<number> {
    const { store, limits, reporter } = this.#deps
    const bytes = payloadBytes(packet.payload)
    const kept: { clientId: string }[] = []
    const drops: Drop[] = []
    const writes: Promise<unknown>[] = []
    let refused = 0
    for (const client of clients) {
      const { clientId } = client
      const totals = held.get(clientId)
      const why = totals === undefined ? null : overflow(limits, totals, bytes)
      if (why === null) {
        kept.push(client)
      } else if (tooBig(limits, bytes) || limits.dropPolicy === 'newest') {
        drops.push({ clientId, topic: packet.topic, bytes, why })
        refused++
      } else {
        // Runs now, in this transaction: the callback sees each oldest entry in turn.
        const dropped = store.dropOldestQueued(clientId, (entry, left) => {
          const reason = overflow(limits, left, bytes)
          if (reason === null) return false
          drops.push({ clientId, topic: entry.topic, bytes: entry.bytes, why: reason })
          return true
        })
        writes.push(dropped)
        kept.push(client)
      }
    }
    if (kept.length > 0) writes.push(store.outgoingEnqueueCombi(kept, packet))
    // Still this tick: the sessions' dropped counts commit with the drops.
    if (sameTick) reporter.report(drops)
    await Promise.all(writes)
    // A store that drops asynchronously has called back only now.
    if (!sameTick) reporter.report(drops)
    if (packet.qos === 0) this.#deps.counters.queuedQos0 += kept.length
    // A connected session's copy goes out at once: only offline ones are "queued".
    const offline = kept.filter(({ clientId }) => !this.#deps.connected(clientId))
    reporter.queued(
      offline.map(({ clientId }) => clientId),
      packet.topic,
      packet.qos,
      bytes,
    )
    return refused
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function'
}
