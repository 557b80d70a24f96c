import type { Redis } from 'ioredis'
import { hasWildcard, topicMatcher } from '../topics.ts'
import type { StoredPacket } from '../types.ts'
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

  /** A zero-length payload removes the topic's retained message [MQTT-3.3.1-10]. */
  async store(packet: StoredPacket): Promise<void> {
    if (packet.payload.length === 0) await this.#redis.hdel(this.#keys.retained, packet.topic)
    else await this.#redis.hset(this.#keys.retained, packet.topic, encodeAll(packet))
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
