import type { ChainableCommander, ClientContext, Redis, Result } from 'ioredis'
import * as outgoing from './lua-outgoing.ts'
import * as sessions from './lua-sessions.ts'

const SCRIPTS = {
  enqueue: outgoing.ENQUEUE,
  update: outgoing.UPDATE,
  clear: outgoing.CLEAR,
  page: outgoing.PAGE,
  listQueue: outgoing.LIST,
  unsentPage: outgoing.UNSENT_PAGE,
  drop: outgoing.DROP,
  totals: outgoing.TOTALS,
  stats: outgoing.STATS,
  openSession: sessions.OPEN_SESSION,
  touchSession: sessions.TOUCH_SESSION,
  addToSession: sessions.ADD_TO_SESSION,
  closeOpen: sessions.CLOSE_OPEN,
  discardSession: sessions.DISCARD_SESSION,
  claimExpired: sessions.CLAIM_EXPIRED,
  addSubscriptions: sessions.ADD_SUBSCRIPTIONS,
  removeSubscriptions: sessions.REMOVE_SUBSCRIPTIONS,
  cleanSubscriptions: sessions.CLEAN_SUBSCRIPTIONS,
  subscriptionsOf: sessions.SUBSCRIPTIONS_OF,
  putWill: sessions.PUT_WILL,
  delWill: sessions.DEL_WILL,
  claimWills: sessions.CLAIM_WILLS,
} as const

export type ScriptName = keyof typeof SCRIPTS
export type Arg = string | number | Buffer

/** A reply of a script: bulk strings as Buffers, integers as numbers. */
export type Reply = Buffer | number | null | Reply[]

/**
 * The commands `defineCommand` adds for each script, typed the way ioredis
 * documents (examples/typescript/scripts.ts): `<name>Buffer` answers bulk
 * strings as Buffers; on a pipeline it queues.
 */
type ScriptCommands<Context extends ClientContext> = {
  [N in ScriptName as `${N}Buffer`]: (
    numKeys: number,
    ...keysAndArgs: Arg[]
  ) => Result<Reply, Context>
}

declare module 'ioredis' {
  interface RedisCommander<Context> extends ScriptCommands<Context> {}
}

/**
 * The store's Lua scripts, registered with ioredis' `defineCommand` (EVALSHA,
 * EVAL on NOSCRIPT) and loaded into Redis when the store opens, so that
 * NOSCRIPT, whose EVAL retry would reorder a write, does not happen.
 */
export class Scripts {
  readonly #redis: Redis

  constructor(redis: Redis) {
    this.#redis = redis
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua })
  }

  async load(): Promise<void> {
    await Promise.all(Object.values(SCRIPTS).map((lua) => this.#redis.script('LOAD', lua)))
  }

  /** Runs a script; its bulk-string replies come back as Buffers. */
  run(name: ScriptName, keys: readonly string[], args: readonly Arg[]): Promise<Reply> {
    return this.#redis[`${name}Buffer`](keys.length, ...keys, ...args)
  }

  /** Queues a script on a pipeline or MULTI. */
  queue(
    pipeline: ChainableCommander,
    name: ScriptName,
    keys: readonly string[],
    args: readonly Arg[],
  ): void {
    pipeline[`${name}Buffer`](keys.length, ...keys, ...args)
  }
}

/** A reply known to be a list. */
export function list(reply: Reply): Reply[] {
  return Array.isArray(reply) ? reply : []
}

export function text(reply: Reply | undefined): string {
  return reply === null || reply === undefined ? '' : String(reply)
}

export function int(reply: Reply | undefined): number {
  return Number(text(reply)) || 0
}
