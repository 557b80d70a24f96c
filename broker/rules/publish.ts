import type { Client } from '../aedes/connection.ts'
import { acknowledgeWithReason } from '../aedes/publish-acks.ts'
import { ReasonCode } from '../aedes/reason-codes.ts'
import { routeAsStored } from '../aedes/routing.ts'
import type { PublishStage } from '../aedes/stages.ts'
import type { Backpressure } from '../policies/backpressure.ts'
import type { ClientRef, StoredPacket } from '../store/types.ts'
import type { SessionPersistence } from './persistence.ts'

/** [MQTT-4.7.2-1]: `$SYS/` topics are the broker's; no client publishes to them. */
export const refuseSysTopics: PublishStage = (_client, packet) => {
  if (packet.topic.startsWith('$SYS/')) throw new Error('$SYS/ topics are reserved to the broker')
  return 'pass'
}

/** [MQTT-3.3.1-3]: an incoming DUP flag is not propagated to subscribers. */
export const clearIncomingDup: PublishStage = (client, packet) => {
  if (client && packet.cmd === 'publish') packet.dup = false
  return 'pass'
}

/**
 * MQTT 5: a Topic Alias is the publisher's connection's alone [MQTT-3.3.2-10].
 * aedes resolves it and sets it to undefined (handlers/publish.js), which the
 * cluster's router (mqemitter-redis, msgpack) carries as null: the other
 * node's subscribers then got a PUBLISH with a Topic Alias they never allowed
 * and closed the connection. Here the key goes.
 */
export const dropResolvedTopicAlias: PublishStage = (_client, packet) => {
  const properties = (packet as { properties?: { topicAlias?: number } }).properties
  if (properties && 'topicAlias' in properties && properties.topicAlias === undefined) {
    delete properties.topicAlias
  }
  return 'pass'
}

const PASS = 'pass' as const

/**
 * Backpressure: while a connection's deliveries are behind, the PUBLISHes
 * of a client that fed it wait here before anything is done with them. aedes reads no more
 * of a connection until every packet of its last read is handled, so the
 * publisher's socket is not read and TCP slows it down; its PUBACKs and
 * other packets of the same read still go on. A Will waits like any
 * PUBLISH; the operator's publish does not pass here.
 */
export function backpressureStage(backpressure: Backpressure): PublishStage {
  return (client, packet) => {
    if (!client || packet.cmd !== 'publish') return PASS
    const wait = backpressure.wait(client)
    return wait === null ? PASS : wait.then(() => PASS)
  }
}

/**
 * Durability: a QoS 1/2 message is committed for every matching persistent
 * session before aedes acknowledges it (see SessionPersistence.commitBeforeAck);
 * with `--queue-qos0`, offline persistent sessions get their QoS 0 copy. A
 * retained message's retained copy is stored here too, so that aedes routes it
 * as it routes any other (see `routeAsStored`).
 *
 * Order: a publisher's PUBLISHes leave this stage in the order they came,
 * each after the one before it, so they are routed in that order
 * [MQTT-4.6.0-5] [MQTT-4.6.0-6]. aedes handles the PUBLISHes of one read side
 * by side, and one with nothing to commit (no persistent subscriber) would
 * overtake a retained one still being stored.
 *
 * MQTT 5: when the queue cap of an offline session refused the message, its
 * publisher's PUBACK/PUBREC says 0x97 Quota exceeded [MQTT-5: 3.4.2.1]: not
 * every subscriber owed it will get it (the others still do). Known from the
 * commit itself, before the acknowledgement is written.
 */
export function commitBeforeAckStage(persistence: SessionPersistence): PublishStage {
  /** Per publisher: this stage of its latest PUBLISH, while that is pending. */
  const latest = new WeakMap<object, Promise<'pass'>>()
  // (the closures are written inline: the TypeScript loader wraps a named one, per PUBLISH)
  return (client, packet) => {
    if (!client || packet.cmd !== 'publish') return 'pass'
    const work = stage(persistence, client, packet as StoredPacket)
    const before = latest.get(client)
    if (!before && !work) return PASS
    const after = before
      ? before.then(
          () => work ?? PASS,
          () => work ?? PASS,
        )
      : (work as Promise<'pass'>)
    latest.set(client, after)
    after.then(
      () => latest.get(client) === after && latest.delete(client),
      () => latest.get(client) === after && latest.delete(client),
    )
    return after
  }
}

/** What the stage does to one PUBLISH; null when there is nothing to wait for. */
function stage(
  persistence: SessionPersistence,
  client: Client,
  packet: StoredPacket,
): Promise<'pass'> | null {
  if (packet.qos === 0 && packet.retain) {
    const retained = persistence.storeRetainedFirst(client, packet)
    const queued = commitPublish(persistence, client, packet)
    routeAsStored(client, packet)
    return Promise.all([queued, retained]).then(() => PASS)
  }
  const committed = commitPublish(persistence, client, packet)
  if (!committed) return null
  return committed.then((refused) => {
    // stored with its retained copy: routed in its publisher's order (see routeAsStored)
    routeAsStored(client, packet)
    if (refused === 0 || packet.qos === 0 || packet.messageId === undefined) return PASS
    const told = acknowledgeWithReason(client, packet.messageId, ReasonCode.quotaExceeded)
    // a 3.1.1 publisher's PUBREC is 0x00: its PUBREL still comes, and the state stays until then
    if (!told || packet.qos !== 2) return PASS
    return persistence.endIncoming(client, packet).then(() => PASS)
  })
}

/**
 * What {@link commitBeforeAckStage} does to a client's PUBLISH, for any
 * publisher: `client` null is the broker itself (the operator's publish,
 * which aedes routes without its publish hook), with no incoming QoS 2 state
 * to keep. Null, at once, when nothing is to be committed (QoS 0 without
 * `--queue-qos0`); else how many sessions' queue caps refused it.
 */
export function commitPublish(
  persistence: SessionPersistence,
  client: ClientRef | null,
  packet: StoredPacket,
): Promise<number> | null {
  if (packet.qos === 0) return persistence.queueQos0(packet)
  return persistence.commitBeforeAck(client, packet)
}
