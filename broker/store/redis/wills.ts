import type { Redis } from 'ioredis'
import type { WillPacket } from '../types.ts'
import { decodeWill, encodeAll } from './codec.ts'
import type { RedisKeys } from './keys.ts'
import { list, type Scripts } from './scripts.ts'

/** Wills read per round trip while streaming. */
const SCAN_COUNT = 500

/**
 * One Will per ClientID, stamped with the broker that holds the client's
 * connection; a SET per broker names the Wills it stamped, so a dead
 * broker's Wills can be claimed whole, each by exactly one survivor.
 */
export class RedisWills {
  readonly #redis: Redis
  readonly #scripts: Scripts
  readonly #keys: RedisKeys

  constructor(redis: Redis, scripts: Scripts, keys: RedisKeys) {
    this.#redis = redis
    this.#scripts = scripts
    this.#keys = keys
  }

  async put(clientId: string, will: WillPacket): Promise<void> {
    const args = [this.#keys.prefix, clientId, encodeAll(will), will.brokerId ?? '']
    await this.#scripts.run('putWill', [this.#keys.wills, this.#keys.willBrokers], args)
  }

  async get(clientId: string): Promise<WillPacket | undefined> {
    const body = await this.#redis.hgetBuffer(this.#keys.wills, clientId)
    return body ? decodeWill(body) : undefined
  }

  /** Removes the client's Will whatever broker stamped it. */
  async delete(clientId: string): Promise<WillPacket | undefined> {
    const keys = [this.#keys.wills, this.#keys.willBrokers]
    const body = await this.#scripts.run('delWill', keys, [this.#keys.prefix, clientId])
    return Buffer.isBuffer(body) ? decodeWill(body) : undefined
  }

  /** Removes and returns every Will `brokerId` stamped, in one script. */
  async claim(brokerId: string): Promise<WillPacket[]> {
    const keys = [this.#keys.wills, this.#keys.willBrokers]
    const bodies = list(await this.#scripts.run('claimWills', keys, [this.#keys.prefix, brokerId]))
    return bodies.filter((body) => Buffer.isBuffer(body)).map(decodeWill)
  }

  /** The Wills stamped by no broker in `brokers` (or by none), a page at a time. */
  async *orphans(brokers: Record<string, unknown>): AsyncGenerator<WillPacket> {
    let cursor = '0'
    do {
      const [next, flat] = await this.#redis.hscan(
        this.#keys.willBrokers,
        cursor,
        'COUNT',
        SCAN_COUNT,
      )
      cursor = next
      const orphans: string[] = []
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const brokerId = flat[i + 1]
        if (brokerId === '' || !Object.hasOwn(brokers, brokerId)) orphans.push(flat[i])
      }
      if (orphans.length === 0) continue
      const bodies = await this.#redis.hmgetBuffer(this.#keys.wills, ...orphans)
      for (const body of bodies) if (body) yield decodeWill(body)
    } while (cursor !== '0')
  }
}
