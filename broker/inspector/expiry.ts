import type { Clock } from '../clock.ts'
import type { ExpiryDue, SessionStore } from '../store/types.ts'
import type { SessionRegistry } from './registry.ts'

// Sessions discarded per store query while a check runs.
const BATCH = 500

// The longest a Node timer waits (2^31 - 1 ms, 24.8 days); a later end is re-armed from there.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * In a cluster, how often a node reads the next session end of the whole
 * cluster from the store: a session left on a node that has gone (or went
 * down before its timer fired) ends at most this late on another.
 */
export const CLUSTER_NEXT_END_MS = 1000

/** How often expiry is checked: half the expiry time, within 1 s and 60 s. */
export function checkIntervalMs(expirySeconds: number): number {
  return Math.min(60_000, Math.max(1_000, (expirySeconds * 1000) / 2))
}

/**
 * Discards sessions offline past their expiry, the one sweep of both
 * protocol versions (aedes' own in-memory MQTT 5 timers are off, see
 * `decideSessionEnds` in broker/aedes/instance.ts):
 *
 * - MQTT 3.1.1: persistent sessions offline for longer than `expirySeconds`
 *   (`--session-expiry`, Mosquitto's persistent_client_expiration), checked
 *   every so often.
 * - MQTT 5: each session at the end of its own Session Expiry Interval
 *   [MQTT-3.1.2-23], exactly: a timer of the clock is armed for the next
 *   session to end (0xFFFFFFFF never does [MQTT-3.1.2-11]).
 *
 * The time a session went offline, and its interval, are in the store, so
 * expiry carries on across restarts (Mosquitto's persistent_client_expiration
 * forgets it, issue 2546); a session a crashed run left connected counts
 * from when the broker started again.
 *
 * In a cluster every node sweeps the same records (the store is shared):
 * each session is claimed by one node (`claimExpired`), which alone records
 * its `expired` event and ends its Will; and each node also reads the
 * cluster's next end every {@link CLUSTER_NEXT_END_MS}, so that a session
 * whose node has gone still ends.
 */
export class SessionExpiry {
  readonly #store: SessionStore
  readonly #registry: SessionRegistry
  readonly #clock: Clock
  readonly #expiryMs: number
  readonly #endWill: (clientId: string) => Promise<void>
  #running: Promise<number> | null = null
  /** A check asked for while one runs. */
  #rerun: Promise<number> | null = null
  #stop: (() => void) | null = null
  #started = false
  #onError: (err: Error) => void = () => {}
  /** The timer of the next MQTT 5 session end: when it fires, and how to cancel it. */
  #next: { at: number; cancel: () => void } | null = null
  readonly #cluster: boolean
  #stopRescan: (() => void) | null = null

  constructor(deps: {
    store: SessionStore
    registry: SessionRegistry
    clock: Clock
    expirySeconds: number
    /** The session's Will as it ends: a delayed one is published (broker/rules/will-delay.ts). */
    endWill?: (clientId: string) => Promise<void>
    /** A cluster node: other nodes sweep the same records. */
    cluster?: boolean
  }) {
    this.#cluster = deps.cluster === true
    this.#store = deps.store
    this.#registry = deps.registry
    this.#clock = deps.clock
    this.#expiryMs = deps.expirySeconds * 1000
    this.#endWill =
      deps.endWill ?? ((clientId) => deps.store.delWill({ id: clientId }).then(() => {}))
  }

  /** Checks every so often (3.1.1) and at each MQTT 5 session's end until `stop`. */
  start(onError: (err: Error) => void): void {
    if (this.#started) return
    this.#started = true
    this.#onError = onError
    if (this.#expiryMs > 0) {
      this.#stop = this.#clock.every(checkIntervalMs(this.#expiryMs / 1000), () => {
        this.check().catch(onError)
      })
    }
    this.#armNext().catch(onError)
    if (this.#cluster) {
      this.#stopRescan = this.#clock.every(CLUSTER_NEXT_END_MS, () => {
        this.#rescan().catch(onError)
      })
    }
  }

  /** Stops the timers; resolves once a check that was running has ended. */
  async stop(): Promise<void> {
    this.#started = false
    this.#stop?.()
    this.#stop = null
    this.#stopRescan?.()
    this.#stopRescan = null
    this.#next?.cancel()
    this.#next = null
    await Promise.allSettled([this.#running, this.#rerun])
  }

  /** An MQTT 5 session went offline and ends at `end` unless it is resumed first. */
  sessionEnds(end: number): void {
    if (!this.#started) return
    if (this.#next && this.#next.at <= end) return
    this.#arm(end)
  }

  /**
   * Discards every session now past its expiry; resolves with how many.
   * Checks never overlap: one asked for while another runs runs after it
   * (the running one read the time before this was asked), once for all
   * asked meanwhile.
   */
  check(): Promise<number> {
    if (this.#running) {
      this.#rerun ??= this.#running.then(
        () => this.#startCheck(),
        () => this.#startCheck(),
      )
      return this.#rerun
    }
    return this.#startCheck()
  }

  #startCheck(): Promise<number> {
    this.#rerun = null
    const running = this.#expire().finally(() => {
      if (this.#running === running) this.#running = null
    })
    this.#running = running
    return running
  }

  async #expire(): Promise<number> {
    const now = this.#clock.now()
    let expired = 0
    if (this.#expiryMs > 0) {
      const idleBefore = now - this.#expiryMs
      expired += await this.#drain({ idleBefore }, async () =>
        (await this.#store.idleSessions(idleBefore, BATCH)).map((s) => ({
          ...s,
          idleMs: now - s.disconnectedAt,
        })),
      )
    }
    expired += await this.#drain({ endedBy: now }, async () =>
      (await this.#store.endedSessions(now, BATCH)).map((s) => ({
        ...s,
        idleMs: now - s.disconnectedAt,
      })),
    )
    return expired
  }

  /**
   * Discards a due session; false when another node's sweep got it first,
   * or it connected again on another node since the query.
   */
  async #end(clientId: string, due: ExpiryDue): Promise<boolean> {
    if (this.#store.claimExpired) return this.#store.claimExpired(clientId, due)
    await this.#store.discardSession(clientId)
    return true
  }

  async #drain(
    due: ExpiryDue,
    next: () => Promise<{ clientId: string; idleMs: number }[]>,
  ): Promise<number> {
    const now = this.#clock.now()
    let expired = 0
    for (;;) {
      const batch = await next()
      let discarded = 0
      for (const { clientId, idleMs } of batch) {
        // connected again since the query
        if (this.#registry.online(clientId)) continue
        if (!(await this.#end(clientId, due))) {
          // another node ended it (and recorded it), or it connected again there
          if (!(await this.#store.getSession(clientId))) this.#registry.forget(clientId)
          continue
        }
        await this.#endWill(clientId)
        this.#registry.record(clientId, { type: 'expired', at: now, idleMs })
        this.#registry.forget(clientId)
        discarded++
      }
      expired += discarded
      if (batch.length < BATCH || discarded === 0) return expired
    }
  }

  /** Arms the timer for the next MQTT 5 session to end, as the store says. */
  async #armNext(): Promise<void> {
    const end = await this.#store.nextSessionEnd()
    if (end !== null && this.#started) this.sessionEnds(end)
  }

  /**
   * A cluster node: the next end of any node's session, as the store says;
   * one already past (its node has gone) is checked now.
   */
  async #rescan(): Promise<void> {
    const end = await this.#store.nextSessionEnd()
    if (end === null || !this.#started) return
    if (end > this.#clock.now()) this.sessionEnds(end)
    else await this.check()
  }

  #arm(at: number): void {
    this.#next?.cancel()
    const next = {
      at,
      cancel: this.#clock.every(Math.min(MAX_TIMER_MS, Math.max(0, at - this.#clock.now())), () => {
        next.cancel()
        if (this.#next === next) this.#next = null
        this.check()
          .then(() => this.#armNext())
          .catch(this.#onError)
      }),
    }
    this.#next = next
  }
}
