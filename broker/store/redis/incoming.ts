import type { Redis } from 'ioredis'
import { incomingPage } from '../listing.ts'
import type { IncomingEntry, StoredPacket } from '../types.ts'
import { decodePublish, encodeIncoming } from './codec.ts'
import type { RedisKeys } from './keys.ts'

/**
 * QoS 2 PUBLISH packets received and answered with PUBREC, kept until their
 * PUBREL so a retransmission is not published twice [MQTT-4.3.3-2].
 */
export class RedisIncoming {
  readonly #redis: Redis
  readonly #keys: RedisKeys

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis
    this.#keys = keys
  }

  async store(clientId: string, packet: StoredPacket): Promise<void> {
    const messageId = packet.messageId ?? 0
    await this.#redis.hset(this.#keys.incoming(clientId), messageId, encodeIncoming(packet))
  }

  /** Rejects with Error('no such packet') when absent, as aedes expects. */
  async get(clientId: string, messageId: number | undefined): Promise<StoredPacket> {
    const body = await this.#redis.hgetBuffer(this.#keys.incoming(clientId), String(messageId ?? 0))
    if (!body) throw new Error('no such packet')
    return decodePublish(body)
  }

  /** Rejects with Error('no such packet') when absent, as aedes' memory store does. */
  async delete(clientId: string, messageId: number | undefined): Promise<void> {
    const removed = await this.#redis.hdel(this.#keys.incoming(clientId), String(messageId ?? 0))
    if (removed === 0) throw new Error('no such packet')
  }

  /** The first `limit` in packet id order: the HASH keeps no order, so it is read whole (65,535 at most). */
  async list(clientId: string, limit: number): Promise<IncomingEntry[]> {
    const bodies = await this.#redis.hvalsBuffer(this.#keys.incoming(clientId))
    return incomingPage(bodies.map(decodePublish), limit)
  }

  async clean(clientId: string): Promise<void> {
    await this.#redis.del(this.#keys.incoming(clientId))
  }
}
