import { onTestFinished } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { startBroker, type Transport, tempDir, transports } from '../helpers/broker.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'

export type StoreKind = 'sqlite' | 'memory' | 'redis'

/** Whether this machine has redis-server (in CI a missing one fails, see redisAvailable). */
const withRedis = redisAvailable()

/** The stores a retained-message or queue rule runs on: redis only where redis-server is. */
export const stores: StoreKind[] = withRedis ? ['sqlite', 'memory', 'redis'] : ['sqlite', 'memory']

/** Every transport on every store of {@link stores}. */
export const transportsAndAllStores = transports.flatMap((transport) =>
  stores.map((store) => [transport, store] as [Transport, StoreKind]),
)

/** The stores whose state outlives the broker process. */
export const durableStores = stores.filter((s) => s !== 'memory')

/**
 * A broker of the current test on `store`, and `restart()`, which closes it
 * and starts another on the same state (the same data dir, the same Redis):
 * on Redis the test gets a redis-server of its own, so no two tests share keys.
 */
export async function startOn(
  store: StoreKind,
  overrides: Partial<Config> = {},
): Promise<{ broker: () => BrokerHandle; restart: () => Promise<BrokerHandle> }> {
  const dataDir = tempDir()
  const redis = store === 'redis' ? await startRedis() : undefined
  const config = { ...overrides, store, dataDir, ...(redis ? { redisUrl: redis.url } : {}) }
  let current = await startBroker(config)
  // the broker first (close() is idempotent), whatever order the test's hooks run in
  if (redis) onTestFinished(() => current.close().then(() => redis.stop()))
  return {
    broker: () => current,
    async restart() {
      await current.close()
      current = await startBroker(config)
      return current
    },
  }
}
