import type { AedesOptions, Client } from 'aedes'
import type { AedesClientInternals, AedesInternals } from '../aedes/internals.ts'
import { SESSION_MARKER_TOPIC } from '../rules/persistence.ts'
import { type Connection, type ConnectPacket, newConnection } from './connection.ts'
import { observeForward } from './deliveries.ts'
import type { SessionRegistry } from './registry.ts'

type ObservedHooks = Pick<AedesOptions, 'preConnect' | 'authorizeForward'>

/**
 * Feeds the registry from aedes: its connection lifecycle events, the
 * CONNECT packet (through `preConnect`), what is written to each client
 * (through `authorizeForward`) and what each client sends (its parser).
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

  /** Wraps the broker's hooks so the feed sees each CONNECT and each forwarded message. */
  hooks<H extends ObservedHooks>(hooks: H): H & Required<ObservedHooks> {
    const preConnect = hooks.preConnect
    const authorizeForward = hooks.authorizeForward
    return {
      ...hooks,
      preConnect: (client, packet, done) => {
        const connection = newConnection(client as AedesClientInternals, packet as ConnectPacket)
        this.#connections.set(client, connection)
        if (preConnect) preConnect(client, packet, done)
        else done(null, true)
      },
      authorizeForward: (client, packet) => {
        const forwarded = authorizeForward ? authorizeForward(client, packet) : packet
        const connection = this.#connections.get(client)
        if (forwarded && connection) observeForward(this.#registry, connection, forwarded)
        return forwarded
      },
    }
  }

  /** Listens to aedes' events. */
  attach(aedes: AedesInternals): void {
    const registry = this.#registry
    aedes.on('client', (client) => {
      const connection = this.#connections.get(client)
      if (!connection) return
      this.#watchParser(connection)
      registry.connected(connection)
    })
    aedes.on('connackSent', (packet, client) => {
      const connection = this.#connections.get(client)
      if (packet.returnCode !== 0 || !connection || registry.online(client.id) !== connection) {
        return
      }
      registry.record(client.id, {
        type: 'connect',
        at: registry.now(),
        clean: connection.clean,
        sessionPresent: packet.sessionPresent === true,
        remoteAddress: connection.remoteAddress,
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
        if (sub.topic === SESSION_MARKER_TOPIC) continue
        const qos = sub.qos as 0 | 1 | 2 | 128
        registry.record(client.id, { type: 'subscribe', at, topic: sub.topic, qos })
      }
    })
    aedes.on('unsubscribe', (topics, client) => {
      // aedes unsubscribes a closing clean client from everything: not the client's doing
      if (internals(client).closed) return
      const at = registry.now()
      for (const topic of topics) registry.record(client.id, { type: 'unsubscribe', at, topic })
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
    const parser = connection.client._parser
    parser.prependListener('error', () => {
      connection.protocolError = true
    })
    parser.on('packet', (packet: { cmd: string; messageId?: number }) => {
      connection.lastActivity = this.#registry.now()
      if (packet.cmd !== 'puback' && packet.cmd !== 'pubcomp') return
      const sent = connection.inflight.get(packet.messageId ?? -1)
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

function internals(client: Client): AedesClientInternals & { closed: boolean } {
  return client as AedesClientInternals & { closed: boolean }
}
