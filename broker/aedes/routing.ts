import type { Aedes, Client } from 'aedes'
import type { MQEmitter } from 'mqemitter'
import mqttPacket from 'mqtt-packet'
import { aedesInternals, clientInternals, type DeliveryPacket } from './internals.ts'

/**
 * Named operations on aedes' message router (`mq`: mqemitter, or
 * mqemitter-redis in a cluster) and on how aedes answers a SUBSCRIBE with
 * retained messages: what the rule of one copy per SUBSCRIBE
 * (broker/rules/retained-once.ts) needs to see.
 */

/** A message as aedes hands it to the router (aedes.js `emitPacket`). */
export interface RoutedPacket {
  topic: string
  retain?: boolean
  brokerId?: string
  brokerCounter?: number
}

/** Per aedes instance: what runs as a message enters the router. */
interface RouterEntry {
  listeners: ((packet: RoutedPacket) => void)[]
  /** Origins of retained messages aedes is routing as a RETAIN=0 copy (see {@link routeAsStored}). */
  retainedAtRouter: Set<string>
}

type Publish = (packet: RoutedPacket, client: unknown, done?: (err?: Error) => void) => void

const routers = new WeakMap<Aedes, RouterEntry>()
/** PUBLISHes to hand to aedes' publish series as RETAIN=0 (see {@link routeAsStored}). */
const storedFirst = new WeakSet<object>()

function routerOf(aedes: Aedes): RouterEntry {
  const known = routers.get(aedes)
  if (known) return known
  const entry: RouterEntry = { listeners: [], retainedAtRouter: new Set() }
  routers.set(aedes, entry)
  const mq = aedesInternals(aedes).mq
  const emit = mq.emit.bind(mq) as (packet: RoutedPacket, done?: (err?: Error) => void) => void
  ;(mq as unknown as { emit: typeof emit }).emit = (packet, done) => {
    const stored = entry.retainedAtRouter
    if (stored.size > 0 && stored.delete(originOf(packet))) packet.retain = true
    for (const listener of entry.listeners) listener(packet)
    emit(packet, done)
  }
  // a copy: the PUBLISH itself may be held elsewhere (a store's queue, a QoS 2 state)
  const publish = (aedes.publish as unknown as Publish).bind(aedes)
  ;(aedes as unknown as { publish: Publish }).publish = (packet, client, done) => {
    if (!packet.retain || !storedFirst.delete(packet)) {
      publish(packet, client, done)
      return
    }
    entry.retainedAtRouter.add(originOf(packet))
    publish({ ...packet, retain: false }, client, done)
  }
  return entry
}

/** A message's origin, `brokerId:brokerCounter`; '' without one. */
export function originOf(packet: { brokerId?: string | null; brokerCounter?: number }): string {
  return packet.brokerId ? `${packet.brokerId}:${packet.brokerCounter}` : ''
}

/**
 * Calls `listener` with each message aedes routes, synchronously, just
 * before it enters the router (aedes.js `emitPacket`), RETAIN as routed.
 */
export function beforeRoute(aedes: Aedes, listener: (packet: RoutedPacket) => void): void {
  routerOf(aedes).listeners.push(listener)
}

/**
 * A retained PUBLISH whose retained copy SessionLab already stored
 * (broker/rules/publish.ts) goes through aedes' publish series (aedes.js
 * `publishFuncsQoS`, `publishFuncsSimple`) as a RETAIN=0 copy, and is RETAIN=1
 * again as it enters the router. aedes handles the PUBLISHes of one read side by
 * side (lib/client.js `enqueue`) and, for a retained one alone, awaits its
 * persistence's `storeRetained` before routing it: a RETAIN=0 message
 * published after it on the same topic was routed first, against the topic's
 * order [MQTT-4.6.0-6]. Through the same series, none overtakes another. A
 * PUBLISH aedes never publishes (its PUBACK could not be written) leaves nothing behind.
 */
export function routeAsStored(publisher: Client, packet: RoutedPacket): void {
  if (!packet.retain || !packet.brokerId) return
  routerOf(clientInternals(publisher).broker)
  storedFirst.add(packet)
}

/**
 * A fence through the router: resolves once every message that entered the
 * router before it has been dispatched to this node's subscriptions. The
 * router keeps order (mqemitter queues in order past its concurrency;
 * mqemitter-redis goes through one Redis connection each way), so a message
 * of this node's own topic that comes back has everything before it behind
 * it. The topic is the node's own under `$SYS/`, where no client may publish
 * (broker/rules/publish.ts), no wildcard filter matches [MQTT-4.7.2-1] and
 * `$SYS/#` subscribers are not shown it (broker/rules/sys-topics.ts).
 */
export async function routeFence(aedes: Aedes): Promise<() => Promise<void>> {
  const mq = aedesInternals(aedes).mq
  const topic = `$SYS/${aedes.id}/sessionlab/route-fence`
  const waiting = new Map<number, () => void>()
  let next = 0
  await new Promise<void>((resolve) =>
    mq.on(
      topic,
      ((packet: { fence?: number }, done: () => void) => {
        const resolveFence = packet.fence === undefined ? undefined : waiting.get(packet.fence)
        if (resolveFence) {
          waiting.delete(packet.fence as number)
          resolveFence()
        }
        done()
      }) as Parameters<MQEmitter['on']>[1],
      () => resolve(),
    ),
  )
  return () =>
    new Promise<void>((resolve) => {
      const fence = ++next
      waiting.set(fence, resolve)
      const packet = { topic, payload: Buffer.alloc(0), fence }
      mq.emit(packet as Parameters<MQEmitter['emit']>[0], (err?: Error) => {
        // a router that cannot take it (closing) has nothing left to dispatch
        if (err && waiting.delete(fence)) resolve()
      })
    })
}

/**
 * aedes answers a SUBSCRIBE (handlers/subscribe.js `completeSubscribe`) by
 * emitting 'subscribe' and then, in the same synchronous step, asking its
 * persistence for the retained messages of the new filters
 * (`createRetainedStreamCombi(topics)`), without saying for whom. The
 * returned function, called from that persistence method, names the
 * connection; null for any other caller. `noRead` is called for a SUBSCRIBE
 * answered without a read (every filter refused, or Retain Handling 2).
 */
export function subscriberOfRetainedReads(
  aedes: Aedes,
  noRead: (client: Client) => void,
): () => Client | null {
  let current: { client: Client; read: boolean } | null = null
  aedes.on('subscribe', (_subs, client) => {
    const answer = { client, read: false }
    current = answer
    queueMicrotask(() => {
      if (current === answer) current = null
      if (!answer.read) noRead(client)
    })
  })
  return () => {
    const answer = current
    current = null
    if (!answer) return null
    answer.read = true
    return answer.client
  }
}

/**
 * Hands a message to one connection as the router would for one of its
 * subscriptions: through its delivery functions (SessionLab's, see
 * broker/rules/delivery.ts, over aedes' `deliverQoS`/`deliver0`), at the
 * packet's QoS. For a message the router does not deliver itself (a shared
 * subscription's, broker/rules/shared-subscriptions.ts).
 */
export function deliverTo(client: Client, packet: DeliveryPacket, done: () => void): void {
  const c = clientInternals(client)
  if (packet.qos > 0) c.deliverQoS(packet, done)
  else c.deliver0(packet, done)
}

/** A packet as mqtt-packet is about to encode it for a connection. */
export interface OutgoingControlPacket {
  cmd: string
  messageId?: number
  retain?: boolean
  brokerId?: string
  brokerCounter?: number
  reasonCode?: number
  granted?: number[]
  properties?: Record<string, unknown>
}

const encodeHooks = new WeakMap<object, ((packet: OutgoingControlPacket) => void)[]>()
let encodeHooked = false

/**
 * Calls `hook` with every packet aedes (or SessionLab's writer) encodes for
 * this connection, just before mqtt-packet encodes it: for answers aedes
 * builds with no hook of its own (the v5 CONNACK's properties, SUBACK
 * reason codes). aedes' lib/write.js calls `mqtt.writeToStream` on the
 * module object it imports, the same mqtt-packet 9.0.2 as ours (pinned, see
 * docs/aedes.md), so wrapping that property once reaches every write.
 */
export function beforeEncode(client: Client, hook: (packet: OutgoingControlPacket) => void): void {
  if (!encodeHooked) {
    encodeHooked = true
    const writeToStream = mqttPacket.writeToStream
    const hooked = Object.assign(
      (...args: Parameters<typeof writeToStream>) => {
        const hooks = encodeHooks.get(args[1])
        if (hooks) for (const h of hooks) h(args[0] as OutgoingControlPacket)
        return writeToStream(...args)
      },
      { cacheNumbers: writeToStream.cacheNumbers },
    )
    ;(mqttPacket as { writeToStream: typeof writeToStream }).writeToStream = hooked
  }
  const hooks = encodeHooks.get(client.conn) ?? []
  hooks.push(hook)
  encodeHooks.set(client.conn, hooks)
}

/** Per connection: origins of live messages to be written with RETAIN=1 (see {@link retainOnTheWire}). */
const retainedOnTheWire = new WeakMap<Client, Set<string>>()

/**
 * MQTT 5 Retain As Published: a live message keeps RETAIN=1 [MQTT-3.3.1-12].
 * aedes' `deliverQoS` (client.js) takes a RETAIN=1 message for a SUBSCRIBE's
 * answer and writes it without recording its packet id in the persistent
 * session's queue, on a path of its own that a RETAIN=0 message published
 * after it on the same topic could overtake [MQTT-4.6.0-6]. So the message is
 * handed to aedes as RETAIN=0, taking the one path every live message of a
 * persistent session takes, and its flag is set back as it is encoded.
 * Returns the copy to hand to aedes.
 */
export function retainOnTheWire<P extends OutgoingControlPacket>(client: Client, packet: P): P {
  let origins = retainedOnTheWire.get(client)
  if (!origins) {
    const mine = new Set<string>()
    beforeEncode(client, (encoded) => {
      if (encoded.cmd === 'publish' && mine.delete(originOf(encoded))) encoded.retain = true
    })
    retainedOnTheWire.set(client, mine)
    origins = mine
  }
  origins.add(originOf(packet))
  return { ...packet, retain: false }
}

/** Whether the packet, handed to aedes as RETAIN=0, will be written with RETAIN=1. */
export function keepsRetainOnTheWire(
  client: Client,
  packet: { brokerId?: string; brokerCounter?: number },
): boolean {
  return retainedOnTheWire.get(client)?.has(originOf(packet)) === true
}
