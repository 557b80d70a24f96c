import type { MQEmitter } from 'mqemitter'
import { afterAll, beforeAll } from 'vitest'
import { openRedisStore, type RedisSessionStore } from '../../broker/store/redis/index.ts'
import type { StoreBroker } from '../../broker/store/types.ts'
import { type RedisServer, redisAvailable, startRedis } from '../helpers/redis-server.ts'

/** Whether this file's redis tests run (they are skipped without redis-server, outside CI). */
export const withRedis = redisAvailable()

let prefixes = 0

/** A key prefix no other test of this process uses. */
export function freshPrefix(): string {
  return `t${process.pid}-${++prefixes}:`
}

/**
 * One redis-server for the calling test file, started before its tests and
 * stopped after them; `url()` is its address.
 */
export function redisForFile(): { url: () => string } {
  let server: RedisServer | undefined
  beforeAll(async () => {
    if (withRedis) server = await startRedis()
  }, 20_000)
  afterAll(() => server?.stop())
  return {
    url: () => {
      if (!server) throw new Error('redis-server was not started')
      return server.url
    },
  }
}

/** Opens a store on a fresh prefix (or the one given). */
export function openTestStore(
  url: string,
  options: { now?: () => number; keyPrefix?: string } = {},
): Promise<RedisSessionStore> {
  return openRedisStore({ url, keyPrefix: options.keyPrefix ?? freshPrefix(), now: options.now })
}

/**
 * A broker for `setup` whose publish/subscribe is one in-process mqemitter:
 * give two stores brokers over the same emitter and they hear each other, as
 * brokers of a cluster do over mqemitter-redis.
 */
export function busBroker(id: string, mq: MQEmitter): StoreBroker {
  return {
    id,
    publish: mq.emit.bind(mq),
    subscribe: mq.on.bind(mq),
    unsubscribe: mq.removeListener.bind(mq),
  }
}
