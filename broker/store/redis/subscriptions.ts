import type { Redis } from 'ioredis'
import { toQoS } from '../packet.ts'
import type { StoreBroker, StoredSubscription, TopicSubscription } from '../types.ts'
import type { RedisKeys } from './keys.ts'
import { list, type Reply, type Scripts, text } from './scripts.ts'
import { SubscriptionBus } from './subscription-bus.ts'
import { SubscriptionMirror } from './subscription-mirror.ts'

/** Clients loaded per round trip when the mirror is filled. */
const LOAD_PAGE = 500

interface SubscriptionRecord {
  qos: number
  rh?: number
  rap?: boolean
  nl?: boolean
  sid?: number
}

/**
 * Subscriptions: per client a HASH topic -> record in Redis, and a ZSET of
 * the clients that have any; matched from the {@link SubscriptionMirror},
 * loaded in `setup` and kept in step across brokers by the
 * {@link SubscriptionBus}.
 */
export class RedisSubscriptions {
  readonly #redis: Redis
  readonly #scripts: Scripts
  readonly #keys: RedisKeys
  readonly #mirror = new SubscriptionMirror()
  #bus: SubscriptionBus | undefined
  /** clientId -> its reload in progress: reloads of one client run in order */
  readonly #reloads = new Map<string, Promise<void>>()

  constructor(redis: Redis, scripts: Scripts, keys: RedisKeys) {
    this.#redis = redis
    this.#scripts = scripts
    this.#keys = keys
  }

  /** Listens for other brokers' changes, then fills the mirror from Redis. */
  async setup(broker: StoreBroker): Promise<void> {
    this.#bus = SubscriptionBus.over(broker, this.#keys.prefix, (id) => this.#reload(id))
    await this.#bus?.start()
    for (let start = 0; ; start += LOAD_PAGE) {
      const ids = await this.#redis.zrange(this.#keys.subClients, start, start + LOAD_PAGE - 1)
      const pipeline = this.#redis.pipeline()
      for (const id of ids) {
        this.#scripts.queue(pipeline, 'subscriptionsOf', [this.#keys.subscriptions(id)], [])
      }
      const replies = (await pipeline.exec()) ?? []
      ids.forEach((id, i) => {
        const [err, reply] = replies[i] ?? []
        if (!err) this.#mirror.replace(id, fromReply(reply as Reply))
      })
      if (ids.length < LOAD_PAGE) return
    }
  }

  async add(clientId: string, subs: StoredSubscription[]): Promise<void> {
    if (subs.length === 0) return
    const args = [clientId, ...subs.flatMap((sub) => [sub.topic, toRecord(sub)])]
    const keys = [this.#keys.subscriptions(clientId), this.#keys.subClients, this.#keys.seq]
    await this.#scripts.run('addSubscriptions', keys, args)
    this.#mirror.add(clientId, subs)
    await this.#bus?.announce(clientId)
  }

  async remove(clientId: string, topics: string[]): Promise<void> {
    if (topics.length === 0) return
    const keys = [this.#keys.subscriptions(clientId), this.#keys.subClients]
    await this.#scripts.run('removeSubscriptions', keys, [clientId, ...topics])
    this.#mirror.remove(clientId, topics)
    await this.#bus?.announce(clientId)
  }

  async clean(clientId: string): Promise<void> {
    const keys = [this.#keys.subscriptions(clientId), this.#keys.subClients]
    await this.#scripts.run('cleanSubscriptions', keys, [clientId])
    await this.forgotten(clientId)
  }

  /** The client's subscriptions were removed from Redis (by a discard): mirror and tell. */
  async forgotten(clientId: string): Promise<void> {
    this.#mirror.clean(clientId)
    await this.#bus?.announce(clientId)
  }

  async byClient(clientId: string): Promise<StoredSubscription[]> {
    const keys = [this.#keys.subscriptions(clientId)]
    return fromReply(await this.#scripts.run('subscriptionsOf', keys, []))
  }

  byTopic(topic: string): TopicSubscription[] {
    return this.#mirror.match(topic)
  }

  qos0ByTopic(topic: string): TopicSubscription[] {
    return this.#mirror.matchQos0(topic)
  }

  async count(): Promise<{ subsCount: number; clientsCount: number }> {
    return {
      subsCount: this.#mirror.count,
      clientsCount: await this.#redis.zcard(this.#keys.subClients),
    }
  }

  /** Every client's subscriptions, QoS 0 included, from this process's mirror. */
  countAll(): number {
    return this.#mirror.count + this.#mirror.qos0Count
  }

  /** The clients with a subscription to exactly `topic`, in order of their first subscription. */
  async *clientsWithFilter(topic: string): AsyncGenerator<string> {
    for (let start = 0; ; start += LOAD_PAGE) {
      const ids = await this.#redis.zrange(this.#keys.subClients, start, start + LOAD_PAGE - 1)
      const pipeline = this.#redis.pipeline()
      for (const id of ids) pipeline.hexists(this.#keys.subscriptions(id), topic)
      const replies = (await pipeline.exec()) ?? []
      for (const [i, id] of ids.entries()) if (replies[i]?.[1] === 1) yield id
      if (ids.length < LOAD_PAGE) return
    }
  }

  async stop(): Promise<void> {
    await this.#bus?.stop()
    await Promise.allSettled(this.#reloads.values())
  }

  #reload(clientId: string): void {
    const previous = this.#reloads.get(clientId) ?? Promise.resolve()
    const next = previous
      .then(() => this.byClient(clientId))
      .then(
        (subs) => this.#mirror.replace(clientId, subs),
        // A reload that failed leaves the mirror as it was until the next notice.
        () => {},
      )
    this.#reloads.set(clientId, next)
    void next.then(() => {
      if (this.#reloads.get(clientId) === next) this.#reloads.delete(clientId)
    })
  }

  /** Resolves once the reloads that other brokers' notices started are done. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#reloads.values())
  }
}

function toRecord(sub: StoredSubscription): string {
  const record: SubscriptionRecord = { qos: sub.qos }
  if (sub.rh !== undefined) record.rh = sub.rh
  if (sub.rap !== undefined) record.rap = sub.rap
  if (sub.nl !== undefined) record.nl = sub.nl
  if (sub.subscriptionIdentifier !== undefined) record.sid = sub.subscriptionIdentifier
  return JSON.stringify(record)
}

/** Subscriptions from a flat topic/record reply, shaped as the memory store gives them. */
function fromReply(reply: Reply): StoredSubscription[] {
  const flat = list(reply)
  const subs: StoredSubscription[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const record = JSON.parse(text(flat[i + 1])) as SubscriptionRecord
    const sub: StoredSubscription = {
      topic: text(flat[i]),
      qos: toQoS(record.qos),
      rh: record.rh,
      rap: record.rap,
      nl: record.nl,
    }
    if (record.sid !== undefined) sub.subscriptionIdentifier = record.sid
    subs.push(sub)
  }
  return subs
}
