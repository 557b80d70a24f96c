import { join } from 'node:path'
import type { Clock } from '../clock.ts'
import type { Config } from '../config.ts'
import { createMemoryStore } from './memory/index.ts'
import type { SessionStore } from './types.ts'

/** Opens the store `--store` names; the SQLite and Redis modules load only when chosen. */
export async function openStore(
  config: Pick<Config, 'store' | 'redisUrl' | 'dataDir' | 'sqliteSync'>,
  clock: Clock,
  log: { warn(message: string): void },
): Promise<SessionStore> {
  const now = () => clock.now()
  if (config.store === 'memory') return createMemoryStore({ now })
  if (config.store === 'redis') {
    const { openRedisStore } = await import('./redis/index.ts')
    return openRedisStore({ url: config.redisUrl, now })
  }
  // loaded on demand: the memory store needs no native module
  const { openSqliteStore } = await import('./sqlite/index.ts')
  return openSqliteStore({
    file: join(config.dataDir, 'sessionlab.db'),
    sync: config.sqliteSync,
    now,
    onCheckpointerStopped: (err) =>
      log.warn(`store: ${err.message}; the WAL is checkpointed on the event loop from now on`),
  })
}
