import {
  type Client,
  peerAddress,
  sentDisconnect,
  serverDisconnectCodeOf,
} from '../aedes/connection.ts'
import { serverDisconnect } from './reason-names.ts'
import type { DisconnectReason, ServerDisconnect } from './types.ts'

/** What the inspector knows of one MQTT connection, from CONNECT to close. */
export interface Connection {
  readonly client: Client
  /** The ClientID the CONNECT carried: empty when the client left it to the broker. */
  readonly requestedClientId: string
  /**
   * The session ends with the connection: CleanSession=1 in 3.1.1, a Session
   * Expiry Interval of 0 in MQTT 5 (Clean Start only discards the earlier
   * session). An MQTT 5 DISCONNECT may set it ([MQTT-3.14.2-2]).
   */
  clean: boolean
  /** MQTT 5: the CONNECT's Clean Start flag [MQTT-3.1.2-4]; null for 3.1/3.1.1, whose `clean` is CleanSession. */
  readonly cleanStart: boolean | null
  readonly protocolVersion: number | null
  readonly keepalive: number | null
  readonly username: string | null
  readonly remoteAddress: string | null
  /** Set when aedes registers the connection under its ClientID. */
  connectedAt: number | null
  lastActivity: number | null
  /** The first reason the broker learned for closing it, if any. */
  reason: DisconnectReason | null
  /** Taken over on this node: the remote address of the connection that took its ClientID. */
  takenOverBy: string | null
  /** The packet parser failed on its bytes. */
  protocolError: boolean
  /** Outgoing QoS 1/2 PUBLISH written and not yet acknowledged, by packet id, in the order sent. */
  readonly inflight: Map<number, SentPublish>
  /** The `seq` of the last entry put in `inflight`: the order a clean session's queue page lists them. */
  inflightSeq: number
}

/**
 * A PUBLISH written to the client and not yet acknowledged. A clean
 * session's in-flight messages are kept nowhere else (aedes stores no
 * outgoing state for it), so what the operator console shows of them is
 * kept here: the payload's first bytes, never the whole of it.
 */
export interface SentPublish {
  seq: number
  topic: string
  qos: 1 | 2
  retain: boolean
  dup: boolean
  payloadBytes: number
  /** The first bytes of the payload (`PAYLOAD_HEAD_BYTES`). */
  payloadHead: Buffer
  sentAt: number
  /** A QoS 2 message whose PUBREC came: the PUBREL sent waits for PUBCOMP [MQTT-4.3.3-1]. */
  released: boolean
  /** MQTT 5: when its Message Expiry Interval runs out, ms since the epoch. */
  messageExpiry?: number
}

export interface ConnectPacket {
  clientId?: string
  clean?: boolean
  protocolVersion?: number
  keepalive?: number
  username?: string
  properties?: { sessionExpiryInterval?: number }
}

/** A connection's state from its CONNECT packet (aedes' preConnect). */
export function newConnection(client: Client, packet: ConnectPacket): Connection {
  return {
    client,
    requestedClientId: packet.clientId ?? '',
    clean:
      packet.protocolVersion === 5
        ? (packet.properties?.sessionExpiryInterval ?? 0) === 0
        : packet.clean !== false,
    cleanStart: packet.protocolVersion === 5 ? packet.clean !== false : null,
    protocolVersion: packet.protocolVersion ?? null,
    keepalive: packet.keepalive ?? null,
    username: packet.username ?? null,
    remoteAddress: peerAddress(client),
    connectedAt: null,
    lastActivity: null,
    reason: null,
    takenOverBy: null,
    protocolError: false,
    inflight: new Map(),
    inflightSeq: 0,
  }
}

/**
 * The Session Expiry Interval an MQTT 5 connection's session now has, in
 * seconds (as CONNECT asked within the broker's maximum, or as DISCONNECT
 * changed it); null for 3.1.1, whose sessions `--session-expiry` governs.
 */
export function sessionExpiryOf(connection: Connection): number | null {
  return connection.protocolVersion === 5 ? connection.client.sessionExpiryInterval : null
}

/** The reason a connection closed, once aedes says it has. */
export function disconnectReason(connection: Connection): DisconnectReason {
  if (connection.reason) return connection.reason
  // [MQTT-3.14.4-3]: the client said DISCONNECT
  return sentDisconnect(connection.client) ? 'client' : 'network'
}

/** MQTT 5: the DISCONNECT the server sent before closing the connection, if it sent one. */
export function serverDisconnectOf(connection: Connection): ServerDisconnect | undefined {
  const code = serverDisconnectCodeOf(connection.client)
  return code === null ? undefined : serverDisconnect(code)
}
