import type { Client, Will } from '../aedes/connection.ts'
import type { Clock } from '../clock.ts'
import type { QoS, SessionStore, WillPacket } from '../store/types.ts'

// The longest a Node timer waits (2^31 - 1 ms, 24.8 days); a later Will is re-armed from there.
const MAX_TIMER_MS = 2 ** 31 - 1

/** The key a delayed Will carries in the store: when it is due (ms since the epoch). */
const DUE = 'willDueAt'

/** When a stored Will is due, undefined for one that is not delayed. */
export function willDueAt(will: WillPacket): number | undefined {
  const due = will[DUE]
  return typeof due === 'number' ? due : undefined
}

/**
 * When a stored Will found without its connection (a crashed run's, a dead
 * cluster node's) is due: its due time if it was delayed already; else, for
 * an MQTT 5 Will with a Will Delay Interval, that long from `now`, when its
 * connection is known to be gone (as a crashed run's session expiry counts
 * from the restart); undefined for a Will to publish at once.
 */
export function dueOnAdoption(will: WillPacket, now: number): number | undefined {
  const due = willDueAt(will)
  if (due !== undefined) return due
  const delay = (will.properties as { willDelayInterval?: number } | undefined)?.willDelayInterval
  return delay ? now + delay * 1000 : undefined
}

export interface DelayedWillsDeps {
  store: SessionStore
  clock: Clock
  /** Publishes a Will as the broker's own message; resolves once routed. */
  publish: (will: WillPacket) => Promise<void>
  /** Hears of each Will published (the session's history). */
  onPublished?: (clientId: string, will: WillPacket) => void
  onError?: (err: Error) => void
}

/**
 * MQTT 5 Will Delay Interval [MQTT-3.1.3-9], durable: a Will whose
 * connection closed waits min(Will Delay, Session Expiry) seconds, and a new
 * connection to the session before then means it is never sent. aedes would
 * wait in memory on the real clock; here the Will stays in the store with
 * its due time, so a restart keeps it (and publishes it when due, or at
 * start-up if it fell due while the broker was down), and in a cluster a
 * survivor adopts a dead node's delayed Wills and waits out their delay.
 *
 * The store is the truth: a reconnecting CONNECT deletes the stored Will
 * (aedes' `storeWill`), so a Will is published only if, when due, the stored
 * one still carries its due time. Taking it is a delete that returns what
 * it deleted, so of several nodes watching one Will exactly one publishes it.
 */
export class DelayedWills {
  readonly #deps: DelayedWillsDeps
  /** Due time by ClientID, of the delayed Wills this node watches. */
  readonly #due = new Map<string, number>()
  #next: { at: number; cancel: () => void } | null = null
  #started = false
  #running: Promise<number> = Promise.resolve(0)

  constructor(deps: DelayedWillsDeps) {
    this.#deps = deps
  }

  /** Watches the delayed Wills in the store (those a previous run left too). */
  async start(): Promise<void> {
    this.#started = true
    for await (const will of this.#deps.store.streamWill({})) {
      const due = willDueAt(will as WillPacket)
      if (due !== undefined) this.#due.set((will as WillPacket).clientId as string, due)
    }
    await this.check()
  }

  stop(): void {
    this.#started = false
    this.#next?.cancel()
    this.#next = null
  }

  /**
   * A connection closed with a Will to send `delaySeconds` from now: it is
   * stored with its due time (committed before this resolves).
   */
  async delay(client: Client, will: Will, delaySeconds: number): Promise<void> {
    await this.adopt({
      ...will,
      qos: will.qos as QoS,
      clientId: client.id,
      [DUE]: this.#deps.clock.now() + delaySeconds * 1000,
    })
  }

  /**
   * Takes on a delayed Will claimed from elsewhere (a dead cluster node, or
   * a Will put back): stored again stamped with this broker, and watched.
   */
  async adopt(will: WillPacket): Promise<void> {
    const clientId = will.clientId as string
    const due = dueOnAdoption(will, this.#deps.clock.now()) ?? this.#deps.clock.now()
    await this.#deps.store.putWill({ id: clientId }, { ...will, [DUE]: due })
    await this.#deps.store.flush()
    this.#due.set(clientId, due)
    this.#arm()
  }

  /**
   * The session of `clientId` ends: its Will, if one is still waiting, is
   * published now [MQTT-3.1.3-9] ("or the Session ends, whichever first").
   */
  async sessionEnded(clientId: string): Promise<void> {
    this.#due.delete(clientId)
    const will = await this.#deps.store.delWill({ id: clientId })
    if (will && willDueAt(will) !== undefined) await this.#send(clientId, will)
  }

  /** Publishes every watched Will now due; resolves with how many. Checks never overlap. */
  check(): Promise<number> {
    this.#running = this.#running.then(
      () => this.#publishDue(),
      () => this.#publishDue(),
    )
    return this.#running
  }

  async #publishDue(): Promise<number> {
    const now = this.#deps.clock.now()
    let published = 0
    for (const [clientId, due] of [...this.#due]) {
      if (due > now) continue
      this.#due.delete(clientId)
      if (await this.#take(clientId, now)) published++
    }
    this.#arm()
    return published
  }

  /** Publishes the Will of `clientId` if the store still holds it delayed and due. */
  async #take(clientId: string, now: number): Promise<boolean> {
    const { store } = this.#deps
    const stored = await store.getWill({ id: clientId })
    const due = stored && willDueAt(stored)
    if (due === undefined) return false
    if (due > now) {
      this.#due.set(clientId, due)
      return false
    }
    const taken = await store.delWill({ id: clientId })
    if (!taken) return false
    if (willDueAt(taken) === undefined) {
      // a new connection's Will stored between the read and the delete: put back
      await store.putWill({ id: clientId }, taken)
      return false
    }
    await this.#send(clientId, taken)
    return true
  }

  async #send(clientId: string, will: WillPacket): Promise<void> {
    await this.#deps.store.flush()
    await this.#deps.publish(will)
    this.#deps.onPublished?.(clientId, will)
  }

  /** Arms the clock's timer for the earliest watched Will. */
  #arm(): void {
    if (!this.#started) return
    let at = Number.POSITIVE_INFINITY
    for (const due of this.#due.values()) at = Math.min(at, due)
    if (this.#next?.at === at) return
    this.#next?.cancel()
    this.#next = null
    if (at === Number.POSITIVE_INFINITY) return
    const { clock } = this.#deps
    const next = {
      at,
      cancel: clock.every(Math.min(MAX_TIMER_MS, Math.max(0, at - clock.now())), () => {
        next.cancel()
        if (this.#next === next) this.#next = null
        this.check().catch((err: Error) => this.#deps.onError?.(err))
      }),
    }
    this.#next = next
  }
}
