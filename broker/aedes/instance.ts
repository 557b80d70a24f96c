import type { EventEmitter } from 'node:events'
import { Aedes, type AedesOptions, type Client } from 'aedes'
import type { MQEmitter } from 'mqemitter'
import MQEmitterRedis from 'mqemitter-redis'
import { type AedesInternals, aedesInternals, type Persistence, type Will } from './internals.ts'
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
  return aedes
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
  }
  return new Promise((resolve, reject) => {
    aedes.publish(origin ? { ...packet, ...origin } : packet, (err?: Error) =>
      err ? reject(err) : resolve(),
    )
  })
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

/** mqemitter-redis over two ready connections (its typings lack the connection options). */
export function redisRouter(connections: { pubConn: unknown; subConn: unknown }): MQEmitter {
  return new (MQEmitterRedis as unknown as new (o: object) => MQEmitter)(connections)
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
