import type { Clock } from '../clock.ts'
import type { SessionStore } from '../store/types.ts'
import type { SessionRegistry } from './registry.ts'

// Sessions discarded per store query while a check runs.
const BATCH = 500

/** How often expiry is checked: half the expiry time, within 1 s and 60 s. */
export function checkIntervalMs(expirySeconds: number): number {
  return Math.min(60_000, Math.max(1_000, (expirySeconds * 1000) / 2))
}

/**
 * Discards persistent sessions offline for longer than `expirySeconds`.
 * The time a session went offline is in the store, so expiry carries on
 * across restarts (Mosquitto's persistent_client_expiration forgets it,
 * issue 2546); a session a crashed run left connected counts from when the
 * broker started again.
 */
export class SessionExpiry {
  readonly #store: SessionStore
  readonly #registry: SessionRegistry
  readonly #clock: Clock
  readonly #expiryMs: number
  #running: Promise<number> | null = null
  #stop: (() => void) | null = null

  constructor(deps: {
    store: SessionStore
    registry: SessionRegistry
    clock: Clock
    expirySeconds: number
  }) {
    this.#store = deps.store
    this.#registry = deps.registry
    this.#clock = deps.clock
    this.#expiryMs = deps.expirySeconds * 1000
  }

  /** Checks every so often until `stop`; does nothing when expiry is off (0). */
  start(onError: (err: Error) => void): void {
    if (this.#expiryMs === 0 || this.#stop) return
    this.#stop = this.#clock.every(checkIntervalMs(this.#expiryMs / 1000), () => {
      this.check().catch(onError)
    })
  }

  stop(): void {
    this.#stop?.()
    this.#stop = null
  }

  /** Discards every session now past its expiry; resolves with how many. Checks never overlap. */
  check(): Promise<number> {
    if (this.#expiryMs === 0) return Promise.resolve(0)
    this.#running ??= this.#expire().finally(() => {
      this.#running = null
    })
    return this.#running
  }

  async #expire(): Promise<number> {
    const now = this.#clock.now()
    let expired = 0
    for (;;) {
      const idle = await this.#store.idleSessions(now - this.#expiryMs, BATCH)
      let discarded = 0
      for (const { clientId, disconnectedAt } of idle) {
        // connected again since the query
        if (this.#registry.online(clientId)) continue
        await this.#store.discardSession(clientId)
        await this.#store.delWill({ id: clientId })
        this.#registry.record(clientId, { type: 'expired', at: now, idleMs: now - disconnectedAt })
        this.#registry.forget(clientId)
        discarded++
      }
      expired += discarded
      if (idle.length < BATCH || discarded === 0) return expired
    }
  }
}
