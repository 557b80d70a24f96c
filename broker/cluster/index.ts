import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { MQEmitter } from 'mqemitter'
import type { Client } from '../aedes/connection.ts'
import {
  type Aedes,
  liveConnection,
  publishAsBroker,
  redisRouter,
  stopWillSweep,
} from '../aedes/instance.ts'
import { errorMessage } from '../coded-error.ts'
import type { Config } from '../config.ts'
import type { ClusterSessions } from '../inspector/index.ts'
import type { SessionRegistry } from '../inspector/registry.ts'
import type { SessionEventSink } from '../inspector/types.ts'
import { dueOnAdoption } from '../rules/will-delay.ts'
import { connectRedis } from '../store/redis/connect.ts'
import type { RedisSessionStore } from '../store/redis/index.ts'
import type { WillPacket } from '../store/types.ts'
import { ClusterNodes } from './nodes.ts'
import { ClusterPresence } from './presence.ts'
import { RemoteCommands } from './remote-commands.ts'
import { ClusterSharedMembers } from './shared-members.ts'

/** Every key SessionLab's cluster keeps in Redis starts with this (the store's too). */
export const CLUSTER_PREFIX = 'sl:'

export interface ClusterNode {
  /** This node's broker id: aedes' id, the stamp on its Wills and queued messages. */
  readonly id: string
  /** Message routing between the nodes, for aedes. */
  readonly mq: MQEmitter
  /** The connected members of every shared subscription group, cluster-wide. */
  readonly sharedMembers: ClusterSharedMembers
  /** What the inspector needs to see the whole cluster. */
  readonly sessions: ClusterSessions
  /** The user of a connection another node holds for a ClientID (ClientID ownership). */
  heldElsewhere(clientId: string): Promise<{ username: string | null } | undefined>
  /**
   * Once aedes exists, before listeners open: publishes the Wills that are
   * due (this id's previous run, nodes that died unseen), then heartbeats
   * and watches the other nodes. Resolves with how many Wills it published.
   */
  start(aedes: Aedes, hooks: ClusterHooks): Promise<number>
  /**
   * Leaves the cluster (not a death: no Wills of ours are due) and closes
   * its Redis connection; after aedes has closed, which closes the routing.
   */
  close(): Promise<void>
}

/** What the broker does when the cluster tells it something about its sessions. */
export interface ClusterHooks {
  /** Where sessions a dead node held are recorded as gone offline. */
  sink: SessionEventSink
  /** Another node took this node's connection's ClientID; aedes closes it next. */
  takenOverElsewhere(client: Client): void
  /**
   * A claimed Will still in its MQTT 5 Will Delay (broker/rules/will-delay.ts):
   * this node stores it as its own and publishes it when due [MQTT-3.1.3-9].
   */
  adoptDelayedWill(will: WillPacket): Promise<void>
}

export interface ClusterDeps {
  config: Pick<Config, 'redisUrl' | 'brokerId' | 'nodeTimeout'>
  store: RedisSessionStore
  now: () => number
  log: { info(message: string): void; warn(message: string): void }
}

/** A generated broker id: unique per process, readable in logs. */
export function generateBrokerId(): string {
  return `sl-${randomBytes(6).toString('hex')}`
}

/**
 * Joins the cluster of SessionLab nodes sharing `config.redisUrl`: checks the
 * broker id is free, opens the message routing (mqemitter-redis, aedes'
 * own cluster transport) and the online directory.
 */
export async function openCluster(deps: ClusterDeps): Promise<ClusterNode> {
  const { config, store, log } = deps
  const id = config.brokerId || generateBrokerId()
  const redis = await connectRedis(config.redisUrl, `sessionlab-${id}`)
  let presence: ClusterPresence | null = null
  let registry: SessionRegistry | null = null
  let aedes: Aedes | null = null
  let hooks: ClusterHooks | null = null
  const nodes = new ClusterNodes({
    redis,
    prefix: CLUSTER_PREFIX,
    id,
    timeoutMs: config.nodeTimeout * 1000,
    now: Date.now,
    warn: (m) => log.warn(m),
    onDead: async (node) => {
      log.warn(`cluster node ${node} stopped without leaving: publishing its clients' Wills`)
      const published = await publishWillsOf(node)
      const gone = await presence?.removeNode(node)
      await sharedMembers?.removeNode(node)
      const closed = await store.closeOpenSessionsOf(node, deps.now())
      for (const clientId of new Set([...(gone ?? []), ...closed])) {
        hooks?.sink.record(clientId, { type: 'disconnect', at: deps.now(), reason: 'network' })
      }
      log.info(`node ${node}: ${published} Will(s) published, ${closed.length} session(s) offline`)
    },
  })
  let mq: MQEmitter | null = null
  let sharedMembers: ClusterSharedMembers | null = null
  try {
    await nodes.join()
    mq = await openRouting(config.redisUrl, (err) =>
      log.warn(`cluster message routing: ${errorMessage(err)}`),
    )
  } catch (err) {
    redis.disconnect()
    throw err
  }
  // Registered before aedes' own listener (closeSameClients), which closes
  // the connection: the close must already read as a takeover.
  mq.on('$SYS/+/new/clients', (packet, done) => {
    const node = packet.topic.split('/')[1]
    const old = aedes ? liveConnection(aedes, String(packet.payload)) : undefined
    if (node !== id && old && !old.closed) hooks?.takenOverElsewhere(old)
    done()
  })
  presence = new ClusterPresence(redis, CLUSTER_PREFIX, id, (m) => log.warn(m))
  sharedMembers = new ClusterSharedMembers(redis, CLUSTER_PREFIX, id, mq)
  const commands = new RemoteCommands(
    id,
    () => aedes,
    () => registry,
  )

  /** Publishes the Wills stamped with `node`, each claimed by exactly one caller cluster-wide. */
  async function publishWillsOf(node: string): Promise<number> {
    if (!aedes) return 0
    const wills = await store.claimWills(node)
    let published = 0
    for (const will of wills) {
      if (hooks && dueOnAdoption(will, deps.now()) !== undefined) {
        await hooks.adoptDelayedWill(will)
        continue
      }
      await publishClaimed(aedes, will)
      published++
    }
    return published
  }

  return {
    id,
    mq,
    sharedMembers,
    heldElsewhere: (clientId) => (presence as ClusterPresence).heldElsewhere(clientId),
    sessions: {
      node: id,
      attach(r) {
        registry = r
        const p = presence as ClusterPresence
        return {
          online: p.online(r),
          presence: p,
          remoteDisconnect: (clientId, node) => commands.disconnect(clientId, node),
        }
      },
      closeOpenSessions: async (at) => (await store.closeOpenSessionsOf(id, at)).length,
    },
    async start(a, h) {
      aedes = a
      hooks = h
      // our sweep publishes dead nodes' Wills once; aedes' own timer would
      // publish them again from every survivor (aedes.js _clearWills)
      stopWillSweep(a)
      await commands.listen()
      // a previous run with this id, and nodes that died while none watched
      let published = await publishWillsOf(id)
      const live = Object.fromEntries((await nodes.live()).map((node) => [node, true]))
      const orphans = new Set<string>()
      for await (const will of store.streamWill(live))
        orphans.add((will as WillPacket).brokerId as string)
      for (const node of orphans) published += await publishWillsOf(node)
      await nodes.sweep()
      nodes.start()
      return published
    },
    async close() {
      await nodes.leave()
      // aedes.close() closed the routing; quit waits for the directory's last writes
      await redis.quit()
    },
  }
}

async function publishClaimed(aedes: Aedes, will: WillPacket): Promise<void> {
  await publishAsBroker(aedes, {
    topic: will.topic,
    payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload),
    qos: will.qos,
    retain: will.retain,
    ...(will.properties ? { properties: will.properties } : {}),
  })
}

/** mqemitter-redis on its own two connections, once both are up. */
async function openRouting(url: string, onError: (err: Error) => void): Promise<MQEmitter> {
  // fail start-up like the other connections do, rather than retry forever
  const [pubConn, subConn] = await Promise.all([
    connectRedis(url, 'sessionlab-mq-pub'),
    connectRedis(url, 'sessionlab-mq-sub'),
  ])
  return redisRouter({ pubConn, subConn }, onError)
}

export type { Redis }
