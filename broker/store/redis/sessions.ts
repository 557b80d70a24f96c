import type { Redis } from 'ioredis'
import { compareClientIds, prefixUpperBound } from '../client-id-order.ts'
import type {
  EndedSession,
  SessionRange,
  SessionRecord,
  SessionStats,
  SessionTouch,
} from '../types.ts'
import type { RedisKeys } from './keys.ts'
import { int, list, type Reply, type Scripts, text } from './scripts.ts'

const NUMBER_FIELDS = [
  'protocolVersion',
  'keepalive',
  'createdAt',
  'connectedAt',
  'disconnectedAt',
  'lastActivity',
  'sessionExpiry',
] as const
const STRING_FIELDS = ['username', 'remoteAddress', 'node'] as const
const TOUCHABLE = new Set<string>([
  'protocolVersion',
  'keepalive',
  'username',
  'remoteAddress',
  'connectedAt',
  'disconnectedAt',
  'lastActivity',
  'node',
  'sessionExpiry',
])

/**
 * Session records: a ZSET of ClientIDs all scored 0, so ZRANGEBYLEX lists
 * them in UTF-8 byte order, and a HASH per session of its non-null fields
 * (see lua-sessions.ts for the open and idle sets).
 */
export class RedisSessions {
  readonly #redis: Redis
  readonly #scripts: Scripts
  readonly #keys: RedisKeys

  constructor(redis: Redis, scripts: Scripts, keys: RedisKeys) {
    this.#redis = redis
    this.#scripts = scripts
    this.#keys = keys
  }

  async open(clientId: string, at: number): Promise<boolean> {
    const keys = [this.#keys.sessions, this.#keys.session(clientId)]
    return (
      int(await this.#scripts.run('openSession', keys, [this.#keys.prefix, clientId, at])) === 1
    )
  }

  async get(clientId: string): Promise<SessionRecord | undefined> {
    const fields = await this.#redis.hgetall(this.#keys.session(clientId))
    return Object.keys(fields).length === 0 ? undefined : fromHash(clientId, fields)
  }

  async list(range: SessionRange): Promise<SessionRecord[]> {
    const upper = range.prefix ? prefixUpperBound(range.prefix) : null
    let lower = `[${range.prefix ?? ''}`
    if (range.after !== undefined && compareClientIds(range.after, range.prefix ?? '') >= 0) {
      lower = `(${range.after}`
    }
    const ids = await this.#redis.zrangebylex(
      this.#keys.sessions,
      lower,
      upper === null ? '+' : `(${upper}`,
      'LIMIT',
      0,
      range.limit,
    )
    const pipeline = this.#redis.pipeline()
    for (const id of ids) pipeline.hgetall(this.#keys.session(id))
    const replies = (await pipeline.exec()) ?? []
    const records: SessionRecord[] = []
    ids.forEach((id, i) => {
      const fields = replies[i]?.[1] as Record<string, string> | undefined
      if (fields && Object.keys(fields).length > 0) records.push(fromHash(id, fields))
    })
    return records
  }

  count(prefix?: string): Promise<number> {
    if (!prefix) return this.#redis.zcard(this.#keys.sessions)
    const upper = prefixUpperBound(prefix)
    return this.#redis.zlexcount(
      this.#keys.sessions,
      `[${prefix}`,
      upper === null ? '+' : `(${upper}`,
    )
  }

  async touch(clientId: string, touch: SessionTouch): Promise<void> {
    const set: string[] = []
    const cleared: string[] = []
    for (const [field, value] of Object.entries(touch)) {
      if (!TOUCHABLE.has(field) || value === undefined) continue
      if (value === null) cleared.push(field)
      else set.push(field, String(value))
    }
    if (set.length === 0 && cleared.length === 0) return
    const keys = [this.#keys.session(clientId), this.#keys.idle]
    const args = [this.#keys.prefix, clientId, set.length / 2, ...set, ...cleared]
    await this.#scripts.run('touchSession', keys, args)
  }

  async add(clientId: string, counts: { dropped?: number; takeovers?: number }): Promise<void> {
    const args = [counts.dropped ?? 0, counts.takeovers ?? 0]
    await this.#scripts.run('addToSession', [this.#keys.session(clientId)], args)
  }

  async idle(
    before: number,
    limit: number,
  ): Promise<{ clientId: string; disconnectedAt: number }[]> {
    const flat = await this.#redis.zrangebyscore(
      this.#keys.idle,
      '-inf',
      `(${before}`,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    )
    const idle: { clientId: string; disconnectedAt: number }[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) {
      idle.push({ clientId: flat[i], disconnectedAt: Number(flat[i + 1]) })
    }
    return idle
  }

  async ended(now: number, limit: number): Promise<EndedSession[]> {
    const ids = await this.#redis.zrangebyscore(this.#keys.ending, '-inf', now, 'LIMIT', 0, limit)
    const pipeline = this.#redis.pipeline()
    for (const id of ids) pipeline.hmget(this.#keys.session(id), 'disconnectedAt', 'sessionExpiry')
    const replies = (await pipeline.exec()) ?? []
    const ended: EndedSession[] = []
    ids.forEach((clientId, i) => {
      const [at, expiry] = (replies[i]?.[1] as (string | null)[] | undefined) ?? []
      if (at == null || expiry == null) return
      ended.push({ clientId, disconnectedAt: Number(at), sessionExpiry: Number(expiry) })
    })
    return ended
  }

  async nextEnd(): Promise<number | null> {
    const first = await this.#redis.zrange(this.#keys.ending, 0, 0, 'WITHSCORES')
    return first.length === 2 ? Number(first[1]) : null
  }

  /** Marks the sessions open on these nodes ('' for none) disconnected; returns their ClientIDs. */
  async closeOpen(nodes: readonly string[], at: number): Promise<string[]> {
    const reply = await this.#scripts.run(
      'closeOpen',
      [this.#keys.idle],
      [this.#keys.prefix, at, ...nodes],
    )
    return list(reply).map(text)
  }

  /** One pipeline of one script per session. */
  async stats(clientIds: readonly string[]): Promise<Map<string, SessionStats>> {
    const stats = new Map<string, SessionStats>()
    if (clientIds.length === 0) return stats
    const pipeline = this.#redis.pipeline()
    for (const id of clientIds) {
      const keys = [
        this.#keys.subscriptions(id),
        this.#keys.unsent(id),
        this.#keys.entries(id),
        this.#keys.queue(id),
        this.#keys.incoming(id),
      ]
      this.#scripts.queue(pipeline, 'stats', keys, [])
    }
    const replies = (await pipeline.exec()) ?? []
    clientIds.forEach((id, i) => {
      const [err, reply] = replies[i] ?? [new Error('no reply')]
      if (err) throw err
      const [subscriptions, queued, queuedBytes, oldest, inflight, incoming] = list(reply as Reply)
      stats.set(id, {
        subscriptions: int(subscriptions),
        queued: int(queued),
        queuedBytes: int(queuedBytes),
        oldestQueuedAt: text(oldest) === '' ? null : int(oldest),
        inflight: int(inflight),
        incoming: int(incoming),
      })
    })
    return stats
  }
}

function fromHash(clientId: string, fields: Record<string, string>): SessionRecord {
  const record: SessionRecord = {
    clientId,
    protocolVersion: null,
    keepalive: null,
    username: null,
    remoteAddress: null,
    createdAt: null,
    connectedAt: null,
    disconnectedAt: null,
    lastActivity: null,
    dropped: Number(fields.dropped ?? 0),
    takeovers: Number(fields.takeovers ?? 0),
  }
  for (const field of NUMBER_FIELDS) {
    if (fields[field] !== undefined) record[field] = Number(fields[field])
  }
  for (const field of STRING_FIELDS) {
    if (fields[field] !== undefined) record[field] = fields[field]
  }
  return record
}
