import type { EventEmitter } from 'node:events'
import { Aedes, type AedesOptions, type Client } from 'aedes'
import type { MQEmitter } from 'mqemitter'
import MQEmitterRedis from 'mqemitter-redis'
import {
  type AedesInternals,
  aedesInternals,
  type ClientInternals,
  type Persistence,
  type Will,
} from './internals.ts'
import { guardAedes, guardPersistence } from './safeguards.ts'

/** Named operations on the aedes instance, beyond its typings. */

export type { Aedes }

/** A message handler on the router (mqemitter's signature). */
export type RouterHandler = (
  packet: { topic: string; payload: Buffer | string },
  done: () => void,
) => void

/** The options SessionLab gives aedes; `mq` is the router (mqemitter-redis in a cluster). */
export type BrokerOptions = Omit<AedesOptions, 'mq'> & { mq?: MQEmitter }

/**
 * A new aedes instance with what aedes 1.2.0 did and 2.0.0-beta.1 lost put
 * back (broker/aedes/safeguards.ts).
 */
export function createAedes(options: BrokerOptions & { persistence?: Persistence }): Aedes {
  const persistence = options.persistence && guardPersistence(options.persistence)
  const aedes = new Aedes({ ...options, ...(persistence ? { persistence } : {}) })
  guardAedes(aedesInternals(aedes))
  decideSessionEnds(aedesInternals(aedes))
  return aedes
}

/**
 * MQTT 5 sessions end where SessionLab decides, not by aedes' timers. As an
 * MQTT 5 connection closes, aedes 2 (aedes.js `scheduleSessionExpiry`) wipes
 * a session of interval 0 and arms an in-memory timer for any other, which
 * a restart forgets and which fires on the real clock. Here it only ends the
 * session of interval 0 [MQTT-3.1.2-23]: the others are recorded in the
 * store with their interval and expired by the broker's one sweep
 * (broker/inspector/expiry.ts), on the injected clock, across restarts.
 * Not while aedes closes, as aedes does: the wipe is not awaited, and the
 * store closes next.
 */
function decideSessionEnds(aedes: AedesInternals): void {
  const ending = new Map<string, Promise<void>>()
  sessionsEnding.set(aedes, ending)
  aedes.scheduleSessionExpiry = (client) => {
    if (client.version !== 5 || aedes.closed) return
    // the connection taking it over owns the session
    if (aedes._takingOver.has(client.id)) return
    if (client.sessionExpiryInterval !== 0) return
    const id = client.id
    const wiped = wipeSession(aedes, client).finally(() => {
      if (ending.get(id) === wiped) ending.delete(id)
    })
    ending.set(id, wiped)
  }
}

/** The MQTT 5 sessions of interval 0 being wiped as their connection closed, by ClientID. */
const sessionsEnding = new WeakMap<AedesInternals, Map<string, Promise<void>>>()

/**
 * aedes' `_wipeSession`, awaitable: aedes fires its three deletions and
 * forgets them, so a CONNECT that follows at once could read the
 * subscriptions before they are gone (on Redis, several round trips).
 * Failures go to aedes' 'error' event as aedes does.
 */
function wipeSession(aedes: AedesInternals, client: ClientInternals): Promise<void> {
  const reported = (err: Error) => {
    aedes.emit('error', err)
  }
  return Promise.all([
    aedes.persistence.cleanSubscriptions(client).then(() => undefined, reported),
    aedes.persistence
      .delWill({ id: client.id, brokerId: aedes.id })
      .then(() => undefined, reported),
    new Promise<void>((resolve) => client.emptyOutgoingQueue(() => resolve())),
  ]).then(() => undefined)
}

/**
 * Resolves once the session the ClientID's last connection ended as it
 * closed (MQTT 5, interval 0) is gone from the store on this node: a CONNECT
 * awaits it before aedes reads the session [MQTT-3.1.2-23].
 */
export async function sessionEnded(aedes: Aedes, clientId: string): Promise<void> {
  const internals = aedesInternals(aedes)
  // Its close may still be under way (aedes unsubscribes first, then
  // unregisters it and ends its session): wait for that, or the new CONNECT
  // would count as a takeover of a live connection and resume the session.
  const closing = internals.clients[clientId]
  if (closing?.closed) {
    await new Promise<void>((resolve) => {
      const closed = (client: Client) => {
        if (client !== closing) return
        aedes.off('clientDisconnect', closed)
        resolve()
      }
      aedes.on('clientDisconnect', closed)
    })
  }
  await sessionsEnding.get(internals)?.get(clientId)
}

/**
 * MQTT 5 Will Delay: aedes 2 (aedes.js `scheduleWill`) holds a delayed Will
 * in an in-memory timer on the real clock, which a restart forgets (and on
 * shutdown drops). Here `delayed` decides instead (broker/rules/will-delay.ts
 * records it in the store with its due time): one timer, not two. aedes
 * passes the delay already cut to the session's end, min(Will Delay,
 * Session Expiry) [MQTT-3.1.3-9], and cancels nothing of ours on reconnect:
 * the reconnecting CONNECT deletes the stored Will (handlers/connect.js
 * `storeWill`), which is what the sweep reads.
 */
export function decideWillDelays(
  aedes: Aedes,
  delayed: (client: Client, will: Will, delaySeconds: number) => void,
): void {
  const internals = aedesInternals(aedes)
  internals.scheduleWill = (client, will, delaySeconds) => {
    // the connection taking it over owns the session: the Will is not sent
    if (internals._takingOver.has(client.id)) return
    delayed(client, will, delaySeconds)
  }
}

/** The live connection of a ClientID on this node. */
export function liveConnection(aedes: Aedes, clientId: string): Client | undefined {
  return aedesInternals(aedes).clients[clientId]
}

/** Every live connection on this node. */
export function liveConnections(aedes: Aedes): Client[] {
  return Object.values(aedesInternals(aedes).clients)
}

/** Listens on aedes' message router, below aedes' own subscriptions. */
export function onRouted(aedes: Aedes, topic: string, handler: RouterHandler): Promise<void> {
  return new Promise((resolve) =>
    aedesInternals(aedes).mq.on(topic, handler as Parameters<MQEmitter['on']>[1], () => resolve()),
  )
}

/**
 * Stops aedes' timer that publishes the Wills of dead brokers (aedes.js
 * `_clearWills`): in a cluster SessionLab's own sweep publishes each once.
 */
export function stopWillSweep(aedes: Aedes): void {
  clearInterval(aedesInternals(aedes)._clearWillInterval)
}

/**
 * Publishes a message as the broker's own (no client); resolves once aedes
 * has routed it (and, at QoS 1/2, queued it for the offline sessions). An
 * `origin` given is kept (aedes-packet keeps an existing one): the message is
 * then the one committed under that origin before (SessionPersistence
 * skips aedes' own enqueue of it).
 */
export function publishAsBroker(
  aedes: Aedes,
  message: Will,
  origin?: { brokerId: string; brokerCounter: number },
): Promise<void> {
  const packet = {
    cmd: 'publish' as const,
    topic: message.topic,
    payload: message.payload,
    qos: message.qos as 0 | 1 | 2,
    retain: message.retain,
    dup: false,
    ...publishPropertiesOf(message),
  }
  return new Promise((resolve, reject) => {
    aedes.publish(origin ? { ...packet, ...origin } : packet, (err?: Error) =>
      err ? reject(err) : resolve(),
    )
  })
}

/**
 * An MQTT 5 Will's properties as its PUBLISH carries them [MQTT-3.1.3-10]:
 * all but the Will Delay Interval, which is the Will's alone.
 */
function publishPropertiesOf(message: Will): { properties?: Record<string, unknown> } {
  const properties = message.properties as Record<string, unknown> | undefined
  if (!properties) return {}
  const { willDelayInterval: _, ...rest } = properties
  return Object.keys(rest).length > 0 ? { properties: rest } : {}
}

/** Deletes a live connection's stored Will through aedes' persistence. */
export function deleteStoredWill(aedes: Aedes, client: Client): Promise<void> {
  return aedesInternals(aedes)
    .persistence.delWill(client)
    .then(() => undefined)
}

/** A refusing CONNACK's return code [MQTT-3.2.2-5] and the reason given for it. */
export interface ConnackRefusal {
  returnCode: 1 | 2 | 3 | 4 | 5
  reason: string
}

/**
 * Calls `listener` for each CONNECT aedes answered with a refusing CONNACK:
 * aedes then fails the connection with an error carrying the code
 * (lib/handlers/connect.js, `errorCode`) and the refusal's reason as its
 * message, as 'clientError', or as 'connectionError' when it refused the
 * CONNECT before reading its ClientID (an unacceptable protocol version).
 */
export function onConnectRefused(
  aedes: Aedes,
  listener: (client: Client, refusal: ConnackRefusal) => void,
): void {
  const heard = (client: Client, err: Error) => {
    const code = (err as Error & { errorCode?: unknown }).errorCode
    if (code === 1 || code === 2 || code === 3 || code === 4 || code === 5) {
      listener(client, { returnCode: code, reason: err.message })
    }
  }
  aedes.on('clientError', heard)
  aedes.on('connectionError', heard)
}

/** aedes reports persistence failures as 'error' events (missing from its typings). */
export function onBrokerError(aedes: Aedes, listener: (err: Error) => void): void {
  ;(aedes as unknown as EventEmitter).on('error', listener)
}

/** A Redis connection as the router closes it. */
interface Quits {
  quit(): Promise<string>
}

/**
 * mqemitter-redis over two ready connections (its typings lack the connection
 * options). It reports a failed publish without a callback and either
 * connection's errors as 'error' on its `state` emitter, which throws when
 * nobody listens. `onError` hears them instead.
 */
export function redisRouter(
  connections: { pubConn: Quits; subConn: Quits },
  onError: (err: Error) => void,
): MQEmitter {
  // Its close() sends QUIT on both and waits for their 'end', which comes
  // however QUIT fares; a connection that closes before QUIT's reply
  // rejects the promise it leaves unhandled.
  for (const conn of [connections.pubConn, connections.subConn]) {
    const quit = conn.quit.bind(conn)
    conn.quit = () => quit().catch(() => 'OK')
  }
  const router = new (MQEmitterRedis as unknown as new (o: object) => MQEmitter)(connections)
  ;(router as unknown as { state: EventEmitter }).state.on('error', onError)
  return router
}

/**
 * The live connection of a ClientID, given the broker object aedes hands its
 * persistence in `setup` (aedes-persistence's interface types it loosely).
 */
export function liveConnectionOfBroker(
  broker: { id: string },
  clientId: string,
): Client | undefined {
  return (broker as AedesInternals).clients?.[clientId]
}

/**
 * Takes the next of aedes' message counters (aedes.js `counter`), which with
 * the broker id names a message's origin: aedes-packet keeps a
 * brokerId/brokerCounter it is given, so a message stamped here keeps it.
 */
export function takeBrokerCounter(broker: { id: string }): number {
  const internals = broker as AedesInternals
  internals.counter += 1
  return internals.counter
}

/** The ClientIDs connected to this node. */
export function liveClientIds(aedes: Aedes): string[] {
  return Object.keys(aedesInternals(aedes).clients)
}
