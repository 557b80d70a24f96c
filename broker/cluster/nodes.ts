import type { Redis } from 'ioredis'
import { errorMessage } from '../coded-error.ts'
import { SessionLabError } from '../errors.ts'

export interface ClusterNodesDeps {
  redis: Redis
  /** Key prefix shared by every node of the cluster. */
  prefix: string
  /** This node's broker id. */
  id: string
  /** How long a node may go without a heartbeat before it counts as dead. */
  timeoutMs: number
  now: () => number
  /** Called on exactly one surviving node for each node found dead. */
  onDead: (node: string) => Promise<void>
  warn: (message: string) => void
}

/**
 * Which nodes of the cluster are alive: each node writes a heartbeat (its id
 * scored by the time) into one sorted set, three times per timeout. A node
 * silent for longer than the timeout is dead; every survivor looks, and the
 * one whose ZREM removes it (Redis answers 1 to exactly one caller) handles
 * it — publishing its clients' Wills once, not once per survivor.
 */
export class ClusterNodes {
  readonly #deps: ClusterNodesDeps
  readonly #key: string
  #timer: NodeJS.Timeout | null = null
  #sweeping: Promise<void> | null = null

  constructor(deps: ClusterNodesDeps) {
    this.#deps = deps
    this.#key = `${deps.prefix}nodes`
  }

  /**
   * Enters the cluster. Refuses (BROKER_ID_IN_USE) when a live node already
   * has this id: two nodes with one id would take each other's Wills and
   * sessions for their own (aedes issue 754).
   */
  async join(): Promise<void> {
    const { redis, id, now, timeoutMs } = this.#deps
    const seen = await redis.zscore(this.#key, id)
    if (seen !== null && now() - Number(seen) < timeoutMs) {
      throw new SessionLabError(
        'BROKER_ID_IN_USE',
        `broker id "${id}" belongs to a live node of this cluster (heartbeat ${now() - Number(seen)} ms ago); give each node its own --broker-id, or none to have one generated`,
      )
    }
    await redis.zadd(this.#key, now(), id)
  }

  /** Heartbeats and looks for dead nodes until `leave`. */
  start(): void {
    const every = Math.max(100, Math.floor(this.#deps.timeoutMs / 3))
    this.#timer = setInterval(() => {
      this.#sweeping ??= this.#beatAndSweep().finally(() => {
        this.#sweeping = null
      })
    }, every)
    this.#timer.unref()
  }

  /** Nodes with a heartbeat younger than the timeout, this one included. */
  async live(): Promise<string[]> {
    return this.#deps.redis.zrangebyscore(
      this.#key,
      this.#deps.now() - this.#deps.timeoutMs,
      '+inf',
    )
  }

  /** Looks for dead nodes now (also run after every heartbeat). */
  async sweep(): Promise<void> {
    const { redis, now, timeoutMs, onDead } = this.#deps
    const dead = await redis.zrangebyscore(this.#key, '-inf', `(${now() - timeoutMs}`)
    for (const node of dead) {
      if (node === this.#deps.id) continue
      if ((await redis.zrem(this.#key, node)) === 1) await onDead(node)
    }
  }

  /** Stops heartbeating and leaves the cluster (a clean shutdown is not a death). */
  async leave(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#sweeping
    await this.#deps.redis.zrem(this.#key, this.#deps.id)
  }

  async #beatAndSweep(): Promise<void> {
    try {
      await this.#deps.redis.zadd(this.#key, this.#deps.now(), this.#deps.id)
      await this.sweep()
    } catch (err) {
      this.#deps.warn(`cluster heartbeat failed: ${errorMessage(err)}`)
    }
  }
}
