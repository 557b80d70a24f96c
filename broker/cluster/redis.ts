import { Redis } from 'ioredis'
import { SessionLabError } from '../errors.ts'

const CONNECT_TIMEOUT_MS = 5_000

/**
 * Opens a connection to the cluster's Redis, or fails start-up with
 * REDIS_UNREACHABLE naming the URL: ioredis alone would retry forever and
 * queue every command meanwhile. Once connected it reconnects on its own.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 3,
  })
  // before `connect` resolves, errors reach its promise; later ones are retried
  redis.on('error', () => {})
  try {
    await redis.connect()
  } catch (err) {
    redis.disconnect()
    throw new SessionLabError(
      'REDIS_UNREACHABLE',
      `cannot reach Redis at ${redactedUrl(url)}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  return redis
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}
