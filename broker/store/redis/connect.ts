import { Redis } from 'ioredis'
import { errorMessage } from '../../coded-error.ts'
import { SessionLabError } from '../../errors.ts'
import type { RedisKeys } from './keys.ts'

/** The version of the key layout and encodings; a store refuses a newer one. */
export const FORMAT_VERSION = 1

/** How long the first connection may take before the store gives up. */
const CONNECT_TIMEOUT_MS = 3000

/**
 * Connects to Redis, failing fast at start-up: ioredis would otherwise retry
 * forever. Once connected, a lost connection is retried with back-off and
 * commands wait for it (up to ioredis' per-request retry limit).
 *
 * @throws SessionLabError REDIS_UNREACHABLE naming the URL (without its password)
 */
export async function connectRedis(url: string, name = 'sessionlab-store'): Promise<Redis> {
  let ready = false
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => (ready ? Math.min(times * 100, 2000) : null),
  })
  // Errors are reported through the commands that fail; without a listener
  // ioredis would print each reconnect attempt.
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    throw new SessionLabError(
      'REDIS_UNREACHABLE',
      `Redis at ${redacted(url)} cannot be reached: ${errorMessage(err)}`,
      { cause: err },
    )
  }
  ready = true
  return redis
}

/**
 * Stamps an empty store with {@link FORMAT_VERSION}; refuses one written by a
 * newer SessionLab.
 *
 * @throws SessionLabError STORE_NEWER_SCHEMA
 */
export async function checkFormat(redis: Redis, keys: RedisKeys): Promise<void> {
  await redis.set(keys.version, FORMAT_VERSION, 'NX')
  const stored = Number(await redis.get(keys.version))
  if (stored > FORMAT_VERSION) {
    throw new SessionLabError(
      'STORE_NEWER_SCHEMA',
      `keys under "${keys.prefix}" are in format ${stored}; this SessionLab reads up to ${FORMAT_VERSION}`,
    )
  }
}

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}
