import type { Redis } from 'ioredis'
import type { DashboardViewRecord } from '../types.ts'
import type { RedisKeys } from './keys.ts'

/**
 * The dashboard's persistent views in one HASH, viewer id -> `{ lastSeen, data }`
 * as JSON: every node of a cluster reads the same views at start-up.
 */
export class RedisDashboardViews {
  readonly #redis: Redis
  readonly #keys: RedisKeys

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis
    this.#keys = keys
  }

  async all(): Promise<DashboardViewRecord[]> {
    const stored = await this.#redis.hgetall(this.#keys.dashboardViews)
    const views: DashboardViewRecord[] = []
    for (const [id, value] of Object.entries(stored)) {
      const view = decode(id, value)
      // a field not written by saveDashboardViews is not a view: skipped, not fatal
      if (view !== null) views.push(view)
    }
    return views
  }

  async put(views: readonly DashboardViewRecord[]): Promise<void> {
    if (views.length === 0) return
    const fields = views.flatMap((v) => [
      v.id,
      JSON.stringify({ lastSeen: v.lastSeen, data: v.data }),
    ])
    await this.#redis.hset(this.#keys.dashboardViews, ...fields)
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.#redis.hdel(this.#keys.dashboardViews, ...ids)
  }
}

function decode(id: string, value: string): DashboardViewRecord | null {
  try {
    const parsed = JSON.parse(value) as unknown
    if (typeof parsed !== 'object' || parsed === null) return null
    const { lastSeen, data } = parsed as Record<string, unknown>
    if (typeof lastSeen !== 'number' || typeof data !== 'string') return null
    return { id, lastSeen, data }
  } catch {
    return null
  }
}
