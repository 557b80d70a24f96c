import type { Redis } from 'ioredis'
import type { MQEmitter } from 'mqemitter'
import type { MemberChange, OnlineMember, SharedDirectory } from '../rules/shared-subscriptions.ts'

/** Where the nodes tell each other of members joining and leaving: no client may publish under `$SYS/`. */
const CHANGES = '$SYS/sessionlab/shared-members'

// Removes a member only if the node that asks still holds it (a takeover
// may have moved it to another node since).
const LEAVE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).node == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`

// Removes every member a dead node held; returns their fields.
const REMOVE_NODE = `
local gone = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).node == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    table.insert(gone, all[i])
  end
end
return gone`

/**
 * The connected members of every shared subscription group, cluster-wide
 * (broker/rules/shared-subscriptions.ts): one Redis HASH, field
 * `{group}\0{filter}\0{ClientID}` (U+0000 is refused in both), value the
 * member's grant and node, read by a node as it starts; each change is also
 * sent through the router, so every node keeps the same view in memory.
 */
export class ClusterSharedMembers implements SharedDirectory {
  readonly #redis: Redis
  readonly #key: string
  readonly #node: string
  readonly #mq: MQEmitter

  constructor(redis: Redis, prefix: string, node: string, mq: MQEmitter) {
    this.#redis = redis
    this.#key = `${prefix}shared:online`
    this.#node = node
    this.#mq = mq
  }

  async load(): Promise<OnlineMember[]> {
    const all = await this.#redis.hgetall(this.#key)
    return Object.entries(all).map(([field, value]) => {
      const { key, clientId } = splitField(field)
      const { qos, node } = JSON.parse(value) as { qos: number; node: string }
      return { key, clientId, qos, node }
    })
  }

  tell(change: MemberChange): void {
    const field = `${change.key}\0${change.clientId}`
    const write = change.gone
      ? this.#redis.eval(LEAVE, 1, this.#key, field, change.node)
      : this.#redis.hset(this.#key, field, JSON.stringify({ qos: change.qos, node: change.node }))
    write.catch(() => {}) // the router tells the live nodes anyway; a new node reads the next change
    const payload = Buffer.from(JSON.stringify(change))
    this.#mq.emit({ topic: CHANGES, payload } as Parameters<MQEmitter['emit']>[0])
  }

  onChange(listener: (change: MemberChange) => void): void {
    this.#mq.on(CHANGES, (packet, done) => {
      const change = JSON.parse(String(packet.payload)) as MemberChange
      // this node applied its own changes as it made them
      if (change.node !== this.#node) listener(change)
      done()
    })
  }

  /** A node died: its members are gone; every node is told. */
  async removeNode(node: string): Promise<void> {
    const fields = (await this.#redis.eval(REMOVE_NODE, 1, this.#key, node)) as string[]
    for (const field of fields) {
      const change = { ...splitField(field), qos: 0, node, gone: true as const }
      const payload = Buffer.from(JSON.stringify(change))
      this.#mq.emit({ topic: CHANGES, payload } as Parameters<MQEmitter['emit']>[0])
    }
  }
}

function splitField(field: string): { key: string; clientId: string } {
  const last = field.lastIndexOf('\0')
  return { key: field.slice(0, last), clientId: field.slice(last + 1) }
}
