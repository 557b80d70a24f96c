import type { OutgoingPacket, QueueTotals, StoredPacket } from './types.ts'

const EMPTY: Readonly<QueueTotals> = Object.freeze({ count: 0, bytes: 0 })

/** The size of a payload as the queue caps count it: UTF-8 bytes for a string. */
export function payloadBytes(payload: Buffer | string | undefined): number {
  if (payload === undefined) return 0
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
}

/** A queue entry that is a PUBLISH never sent (no packet id yet). */
export function isQueued(entry: OutgoingPacket | undefined): entry is StoredPacket {
  return entry !== undefined && entry.cmd === 'publish' && entry.messageId == null
}

/**
 * Per ClientID, the PUBLISH entries queued and never sent, and their payload
 * bytes: what `--queue-max-messages` and `--queue-max-bytes` limit. Kept in
 * memory and changed with each write, so that a publish never counts a queue;
 * only clients with something queued have an entry.
 */
export class QueueTally {
  readonly #totals = new Map<string, QueueTotals>()

  get(clientId: string): QueueTotals {
    const totals = this.#totals.get(clientId) ?? EMPTY
    return { count: totals.count, bytes: totals.bytes }
  }

  /** A PUBLISH of `bytes` was queued for the client. */
  queued(clientId: string, bytes: number): void {
    const totals = this.#totals.get(clientId)
    if (totals) {
      totals.count++
      totals.bytes += bytes
    } else this.#totals.set(clientId, { count: 1, bytes })
  }

  /** A queued PUBLISH of `bytes` was sent, cleared or dropped. */
  unqueued(clientId: string, bytes: number): void {
    const totals = this.#totals.get(clientId)
    if (!totals) return
    totals.count--
    totals.bytes -= bytes
    // Never below zero: a count that drifted is corrected by the next drop walk.
    if (totals.count <= 0) this.#totals.delete(clientId)
    else if (totals.bytes < 0) totals.bytes = 0
  }

  set(clientId: string, totals: QueueTotals): void {
    if (totals.count <= 0) this.#totals.delete(clientId)
    else this.#totals.set(clientId, { count: totals.count, bytes: Math.max(0, totals.bytes) })
  }

  forget(clientId: string): void {
    this.#totals.delete(clientId)
  }

  /** Forgets every client (before the totals are read from the tables again). */
  clear(): void {
    this.#totals.clear()
  }

  /** Queued entries over every client: one pass over the clients with a queue, no query. */
  sum(): number {
    let count = 0
    for (const totals of this.#totals.values()) count += totals.count
    return count
  }
}

/**
 * The payload bytes of a PUBLISH that `outgoingUpdate` numbers for its first
 * send, else null: a resend carries DUP=1 (persistence.ts marks it) and a
 * PUBREL is no PUBLISH. This is how a store that cannot see the row it
 * updates without another read tells that a queued entry was sent.
 */
export function firstSendBytes(packet: OutgoingPacket): number | null {
  if (packet.cmd !== 'publish') return null
  const publish = packet as StoredPacket
  return publish.dup ? null : payloadBytes(publish.payload)
}
