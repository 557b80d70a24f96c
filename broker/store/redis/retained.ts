import type { Redis } from 'ioredis'
import { retainedEntryOf, topicsOfPage } from '../listing.ts'
import { hasWildcard, topicMatcher } from '../topics.ts'
import type { RetainedEntry, RetainedRange, StoredPacket } from '../types.ts'
import { decodePublish, encodeAll } from './codec.ts'
import type { RedisKeys } from './keys.ts'

/** Retained messages read per round trip while matching a wildcard. */
const SCAN_COUNT = 500

/** The last retained message of each topic [MQTT-3.3.1-5], in one HASH. */
export class RedisRetained {
  readonly #redis: Redis
  readonly #keys: RedisKeys

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis
    this.#keys = keys
  }

  /** Retained messages held: the HASH's length, O(1). */
  count(): Promise<number> {
    return this.#redis.hlen(this.#keys.retained)
  }

  /** A zero-length payload removes the topic's retained message [MQTT-3.3.1-10]. */
  async store(packet: StoredPacket): Promise<void> {
    if (packet.payload.length === 0) await this.#redis.hdel(this.#keys.retained, packet.topic)
    else await this.#redis.hset(this.#keys.retained, packet.topic, encodeAll(packet))
  }

  /**
   * A page of the retained messages in topic order. The HASH keeps no order:
   * every topic name is read (HKEYS; Redis 7.0 has no HSCAN NOVALUES, and a
   * scan would carry every payload), the page picked here, then only its
   * messages are read. A topic removed in between is left out.
   */
  async list(range: RetainedRange): Promise<RetainedEntry[]> {
    const topics = topicsOfPage(await this.#redis.hkeys(this.#keys.retained), range)
    if (topics.length === 0) return []
    const bodies = await this.#redis.hmgetBuffer(this.#keys.retained, ...topics)
    const entries: RetainedEntry[] = []
    for (const body of bodies) if (body) entries.push(retainedEntryOf(decodePublish(body)))
    return entries
  }

  /** Each pattern in turn: a point lookup for a plain topic, else a scan tested against it. */
  async *matching(patterns: string[]): AsyncGenerator<StoredPacket> {
    for (const pattern of patterns) {
      if (!hasWildcard(pattern)) {
        const body = await this.#redis.hgetBuffer(this.#keys.retained, pattern)
        if (body) yield decodePublish(body)
        continue
      }
      const matches = topicMatcher(pattern)
      let cursor = '0'
      do {
        const [next, flat] = await this.#redis.hscanBuffer(
          this.#keys.retained,
          cursor,
          'COUNT',
          SCAN_COUNT,
        )
        cursor = String(next)
        for (let i = 0; i + 1 < flat.length; i += 2) {
          if (matches(String(flat[i]))) yield decodePublish(flat[i + 1])
        }
      } while (cursor !== '0')
    }
  }
}
