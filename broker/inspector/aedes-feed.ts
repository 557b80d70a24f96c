import { type Client, isItsWill, onIncomingPacket, onParseError } from '../aedes/connection.ts'
import { type Aedes, onConnectRefused } from '../aedes/instance.ts'
import type { ConnectStage, ForwardStage, PublishStage } from '../aedes/stages.ts'
import { isSessionMarker } from '../rules/session-present.ts'
import { shownFilter } from '../rules/share-names.ts'
import {
  type Connection,
  type ConnectPacket,
  newConnection,
  sessionExpiryOf,
} from './connection.ts'
import { observeForward } from './deliveries.ts'
import type { SessionRegistry } from './registry.ts'

/** What of a published Will the history keeps: aedes' Will, or the PUBLISH made of it. */
export interface PublishedWill {
  topic: string
  payload: Buffer | string
  qos: number
  retain: boolean
}

/**
 * Feeds the registry from aedes: its connection lifecycle events, the
 * CONNECT packet (a CONNECT stage), what is written to each client (the
 * last forward stage) and what each client sends (its incoming packets).
 */
export class AedesFeed {
  readonly #registry: SessionRegistry
  readonly #connections = new WeakMap<Client, Connection>()

  constructor(registry: SessionRegistry) {
    this.#registry = registry
  }

  /** The connection state of an aedes client, once its CONNECT arrived. */
  connectionOf(client: Client): Connection | undefined {
    return this.#connections.get(client)
  }

  /** The first CONNECT stage: records the connection as its CONNECT arrives. */
  readonly connectStage: ConnectStage = {
    read: (client, packet) => {
      this.#connections.set(client, newConnection(client, packet as ConnectPacket))
    },
  }

  /** The last forward stage: sees each PUBLISH as it is written to a client. */
  readonly forwardStage: ForwardStage = (client, packet) => {
    const connection = this.#connections.get(client)
    if (connection) observeForward(this.#registry, connection, packet)
    return packet
  }

  /** Listens to aedes' events. */
  attach(aedes: Aedes): void {
    const registry = this.#registry
    aedes.on('client', (client) => {
      const connection = this.#connections.get(client)
      if (!connection) return
      this.#watchParser(connection)
      registry.connected(connection)
    })
    aedes.on('connackSent', (packet, client) => {
      const connection = this.#connections.get(client)
      // an MQTT 5 CONNACK says it with a reason code [MQTT-3.2.2-8]
      const code = packet.reasonCode ?? packet.returnCode
      if (code !== 0 || !connection || registry.online(client.id) !== connection) {
        return
      }
      registry.record(client.id, {
        type: 'connect',
        at: registry.now(),
        clean: connection.clean,
        sessionPresent: packet.sessionPresent === true,
        remoteAddress: connection.remoteAddress,
        protocolVersion: connection.protocolVersion,
        keepalive: connection.keepalive,
        username: connection.username,
        ...(connection.cleanStart === null
          ? {}
          : {
              cleanStart: connection.cleanStart,
              sessionExpiry: sessionExpiryOf(connection) ?? 0,
            }),
      })
    })
    onConnectRefused(aedes, (client, { returnCode, reason }) => {
      // the CONNECT's own state: the socket may be closed by now
      const connection = this.#connections.get(client)
      registry.refused({
        // not the id aedes makes up for an empty one
        clientId: connection?.requestedClientId === '' ? null : client.id || null,
        at: registry.now(),
        returnCode,
        reason,
        remoteAddress: connection?.remoteAddress ?? null,
        username: connection?.username ?? null,
        clean: connection?.clean ?? true,
      })
    })
    aedes.on('clientDisconnect', (client) => {
      const connection = this.#connections.get(client)
      if (connection) registry.disconnected(connection)
    })
    aedes.on('keepaliveTimeout', (client) => {
      const connection = this.#connections.get(client)
      if (connection) connection.reason ??= 'keepalive'
    })
    aedes.on('clientError', (client, err) => {
      const connection = this.#connections.get(client)
      // A second CONNECT [MQTT-3.1.0-2] or bytes the parser rejects; any
      // other error (a reset, a failed write) is the network's.
      if (connection && (connection.protocolError || err.message === 'Invalid protocol')) {
        connection.reason ??= 'protocol-error'
      }
    })
    aedes.on('subscribe', (subs, client) => {
      const at = registry.now()
      for (const sub of subs) {
        if (isSessionMarker(sub.topic)) continue
        const qos = sub.qos as 0 | 1 | 2 | 128
        // a shared subscription as the client wrote it, not the name the broker holds it under
        registry.record(client.id, { type: 'subscribe', at, topic: shownFilter(sub.topic), qos })
      }
    })
    aedes.on('unsubscribe', (topics, client) => {
      // aedes unsubscribes a closing clean client from everything: not the client's doing
      if (client.closed) return
      const at = registry.now()
      for (const topic of topics) {
        registry.record(client.id, { type: 'unsubscribe', at, topic: shownFilter(topic) })
      }
    })
  }

  /**
   * A publish stage after the ACL's: a Will aedes publishes as it closes a
   * connection [MQTT-3.1.2-8] goes in the session's history (one the ACL
   * diverts never reaches this stage).
   */
  readonly willStage: PublishStage = (client, packet) => {
    if (client && isItsWill(client, packet)) this.willPublished(client, packet)
    return 'pass'
  }

  /** The connection's Will was published (by aedes, or by the broker as it shuts down). */
  willPublished(client: Client, will: PublishedWill): void {
    const payload = will.payload
    this.#registry.record(client.id, {
      type: 'will',
      at: this.#registry.now(),
      topic: will.topic,
      qos: will.qos as 0 | 1 | 2,
      retain: will.retain,
      bytes: typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length,
    })
  }

  /** Marks the reason a connection is being closed, unless one is known already. */
  markClosing(client: Client, reason: NonNullable<Connection['reason']>): void {
    const connection = this.#connections.get(client)
    if (connection) connection.reason ??= reason
  }

  /**
   * Every packet from the client is activity; PUBACK and PUBCOMP end a
   * delivery. The parser's errors are protocol errors: the listener goes
   * first so the flag is set before aedes reports the error.
   */
  #watchParser(connection: Connection): void {
    onParseError(connection.client, () => {
      connection.protocolError = true
    })
    onIncomingPacket(connection.client, (packet) => {
      connection.lastActivity = this.#registry.now()
      const sent = connection.inflight.get(packet.messageId ?? -1)
      // [MQTT-4.3.3-1] after PUBREC the broker's PUBREL waits for PUBCOMP
      if (packet.cmd === 'pubrec' && sent?.qos === 2) sent.released = true
      if (packet.cmd !== 'puback' && packet.cmd !== 'pubcomp') return
      // [MQTT-4.3.2-1] PUBACK ends QoS 1, [MQTT-4.3.3-1] PUBCOMP ends QoS 2
      if (!sent || (sent.qos === 1) !== (packet.cmd === 'puback')) return
      connection.inflight.delete(packet.messageId as number)
      this.#registry.record(connection.client.id, {
        type: 'delivered',
        at: connection.lastActivity,
        topic: sent.topic,
        qos: sent.qos,
      })
    })
  }
}
