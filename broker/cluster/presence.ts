import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Connection } from '../inspector/connection.ts'
import {
  type LiveSession,
  liveOf,
  liveSubscriptions,
  type OnlineSessions,
} from '../inspector/online.ts'
import type { PresenceWriter, SessionRegistry } from '../inspector/registry.ts'
import { compareClientIds } from '../store/client-id-order.ts'

/** What the directory keeps of a connection another node may show. */
type Entry = Pick<
  LiveSession,
  | 'clean'
  | 'protocolVersion'
  | 'keepalive'
  | 'username'
  | 'remoteAddress'
  | 'connectedAt'
  | 'subscriptions'
> & {
  node: string
  /** Which connection of that node: a takeover on the same node must not remove its successor. */
  token: string
}

// Removes a connection's entry only if it is still that connection's: after
// a takeover the ClientID's entry belongs to the new one, on any node.
const REMOVE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
if current and cjson.decode(current).token == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
return 0`

// Records a connection; returns the node that held the ClientID before, if any.
const CONNECT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
if ARGV[3] == '1' then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], 0, ARGV[1]) end
if previous then return cjson.decode(previous).node end
return false`

// Removes every entry a dead node still holds; returns their ClientIDs.
const REMOVE_NODE = `
local gone = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local current = redis.call('HGET', KEYS[1], id)
  if current and cjson.decode(current).node == ARGV[1] then
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    table.insert(gone, id)
  end
end
redis.call('DEL', KEYS[4])
return gone`

/**
 * The cluster's directory of online sessions, in Redis: every node writes
 * its connections there as they open and close, and answers the
 * inspector's questions about online state from it, for every node. (aedes
 * keeps online state per process only, aedes issue 510.) Two sorted sets
 * with all scores 0 give ClientID order (UTF-8 byte order) for paging.
 */
export class ClusterPresence implements PresenceWriter {
  readonly #redis: Redis
  readonly #node: string
  readonly #keys: { info: string; all: string; persistent: string }
  readonly #tokens = new WeakMap<Connection, string>()
  readonly #warn: (message: string) => void
  #registry: SessionRegistry | null = null

  constructor(redis: Redis, prefix: string, node: string, warn: (message: string) => void) {
    this.#redis = redis
    this.#node = node
    this.#warn = warn
    this.#keys = {
      info: `${prefix}online:info`,
      all: `${prefix}online`,
      persistent: `${prefix}online:persistent`,
    }
  }

  #nodeKey(node: string): string {
    return `${this.#keys.all}:node:${node}`
  }

  /** Answers online questions for the whole cluster, with this node's connections from its registry. */
  online(registry: SessionRegistry): OnlineSessions {
    this.#registry = registry
    return {
      list: (prefix, after, limit) => this.#list(prefix, after, limit),
      find: (clientIds) => this.#find(clientIds),
      count: (prefix) => this.#count(prefix),
    }
  }

  connected(connection: Connection): void {
    const token = randomUUID()
    this.#tokens.set(connection, token)
    const id = connection.client.id
    const entry = this.#entry(connection, token, [])
    const { info, all, persistent } = this.#keys
    const taken = this.#redis
      .eval(
        CONNECT,
        4,
        info,
        all,
        persistent,
        this.#nodeKey(this.#node),
        id,
        JSON.stringify(entry),
        connection.clean ? '1' : '0',
      )
      .then((previous) => {
        // [MQTT-3.1.4-2] across nodes: that node closes its connection
        // (aedes' $SYS/<id>/new/clients); the takeover is counted here
        if (typeof previous === 'string' && previous !== this.#node) {
          this.#registry?.takenOver(undefined, { clean: connection.clean }, id)
        }
      })
    this.#run(taken)
  }

  disconnected(connection: Connection): void {
    const token = this.#tokens.get(connection)
    if (token === undefined) return
    const { info, all, persistent } = this.#keys
    this.#run(
      this.#redis.eval(
        REMOVE,
        4,
        info,
        all,
        persistent,
        this.#nodeKey(this.#node),
        connection.client.id,
        token,
      ),
    )
  }

  subscriptionsChanged(connection: Connection): void {
    const token = this.#tokens.get(connection)
    if (token === undefined) return
    const id = connection.client.id
    // rewritten whole, from this node's view of the connection
    const entry = this.#entry(connection, token, liveSubscriptions(connection))
    this.#run(
      this.#redis.eval(
        // only while the entry is still this connection's
        `local c = redis.call('HGET', KEYS[1], ARGV[1])
         if c and cjson.decode(c).token == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end`,
        1,
        this.#keys.info,
        id,
        token,
        JSON.stringify(entry),
      ),
    )
  }

  #entry(connection: Connection, token: string, subscriptions: Entry['subscriptions']): Entry {
    const { clean, protocolVersion, keepalive, username, remoteAddress, connectedAt } = connection
    return {
      node: this.#node,
      token,
      clean,
      protocolVersion,
      keepalive,
      username,
      remoteAddress,
      connectedAt,
      subscriptions,
    }
  }

  /** The connection another node holds for this ClientID, if any. */
  async heldElsewhere(clientId: string): Promise<{ username: string | null } | undefined> {
    const value = await this.#redis.hget(this.#keys.info, clientId)
    if (value === null) return undefined
    const entry = JSON.parse(value) as Entry
    return entry.node === this.#node ? undefined : { username: entry.username }
  }

  /** Removes what a dead node held online; resolves with those ClientIDs. */
  async removeNode(node: string): Promise<string[]> {
    const { info, all, persistent } = this.#keys
    return (await this.#redis.eval(
      REMOVE_NODE,
      4,
      info,
      all,
      persistent,
      this.#nodeKey(node),
      node,
    )) as string[]
  }

  async #list(prefix: string, after: string | undefined, limit: number): Promise<LiveSession[]> {
    const [min, max] = lexRange(prefix, after)
    const ids = await this.#redis.zrangebylexBuffer(this.#keys.all, min, max, 'LIMIT', 0, limit)
    const found = await this.#find(ids.map((id) => id.toString('utf8')))
    return ids.flatMap((id) => found.get(id.toString('utf8')) ?? [])
  }

  async #find(clientIds: readonly string[]): Promise<Map<string, LiveSession>> {
    const found = new Map<string, LiveSession>()
    if (clientIds.length === 0) return found
    const values = await this.#redis.hmget(this.#keys.info, ...clientIds)
    clientIds.forEach((clientId, i) => {
      const value = values[i]
      if (value === null) return
      const entry = JSON.parse(value) as Entry
      const local = entry.node === this.#node ? this.#registry?.online(clientId) : undefined
      found.set(clientId, local ? liveOf(local, this.#node) : remoteLive(clientId, entry))
    })
    return found
  }

  async #count(prefix: string): Promise<{ online: number; persistent: number }> {
    const [min, max] = lexRange(prefix, undefined)
    const [online, persistent] = await Promise.all([
      this.#redis.zlexcount(this.#keys.all, min, max),
      this.#redis.zlexcount(this.#keys.persistent, min, max),
    ])
    return { online, persistent }
  }

  #run(write: Promise<unknown>): void {
    write.catch((err: Error) => this.#warn(`cluster presence not written: ${err.message}`))
  }
}

/** A session connected to another node, as its directory entry describes it. */
function remoteLive(clientId: string, entry: Entry): LiveSession {
  const { token: _token, ...shown } = entry
  return {
    ...shown,
    clientId,
    // the other node does not publish each packet's time
    lastActivity: entry.connectedAt,
    // a clean session's in-flight messages are only in the other node's memory
    inflight: 0,
    connection: null,
  }
}

/** ZRANGEBYLEX bounds for ClientIDs with the prefix after `after` (0xff never occurs in UTF-8). */
function lexRange(prefix: string, after: string | undefined): [Buffer, Buffer] {
  const from =
    after !== undefined && compareClientIds(after, prefix) >= 0 ? `(${after}` : `[${prefix}`
  const max =
    prefix === ''
      ? Buffer.from('+')
      : Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])])
  return [Buffer.from(from), max]
}
