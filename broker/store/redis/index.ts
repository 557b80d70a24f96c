// The session store on Redis, for cluster mode: several brokers share one
// Redis. It is not aedes-persistence-redis, whose defects it avoids:
// - each client gets its own copy of a queued packet, so a messageId set for
//   one client never shows in another's queue;
// - delWill({ id }) removes the client's Will whatever brokerId it carries
//   (aedes calls delWill(client) from connect.js, without a brokerId);
// - removing subscriptions or discarding a session leaves no packet keys;
// - a resume streams the whole queue in pages, with no cap at 1000 messages;
// - the messageId -> entry index lives in Redis, so any broker can act on a
//   PUBACK for a message another one sent.
import { checkFormat, connectRedis } from './connect.ts'
import { RedisKeys } from './keys.ts'
import { Scripts } from './scripts.ts'
import { RedisSessionStore } from './store.ts'

export { RedisSessionStore }

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]` */
  url: string
  /** The clock that stamps session and queue times (ms since the epoch). */
  now?: () => number
  /** Every key starts with it; default `sl:`. */
  keyPrefix?: string
}

/**
 * Connects to Redis and opens the store under `keyPrefix`, before the
 * broker starts; the broker then calls `setup`.
 *
 * @throws SessionLabError REDIS_UNREACHABLE (within a few seconds) or STORE_NEWER_SCHEMA
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<RedisSessionStore> {
  const redis = await connectRedis(options.url)
  try {
    const keys = new RedisKeys(options.keyPrefix ?? 'sl:')
    await checkFormat(redis, keys)
    const scripts = new Scripts(redis)
    await scripts.load()
    return new RedisSessionStore(redis, scripts, keys, options.now ?? Date.now)
  } catch (err) {
    redis.disconnect()
    throw err
  }
}
