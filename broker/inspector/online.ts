import { type GrantedSubscription, grantedSubscriptionOptions } from '../aedes/connection.ts'
import { compareClientIds } from '../store/client-id-order.ts'
import { type Connection, sessionExpiryOf } from './connection.ts'
import type { SessionRegistry } from './registry.ts'
import type { SessionView } from './types.ts'

/**
 * What the inspector shows of a session while it is connected, wherever:
 * to this process (`connection` set) or to another node of the cluster.
 * Its fields are those of the {@link SessionView} it becomes part of; for a
 * clean session `inflight` and `subscriptions` are its own (a persistent
 * session's are the store's).
 */
export type LiveSession = Pick<
  SessionView,
  | 'clientId'
  | 'node'
  | 'clean'
  | 'protocolVersion'
  | 'keepalive'
  | 'username'
  | 'remoteAddress'
  | 'connectedAt'
  | 'lastActivity'
  | 'inflight'
> & {
  /** As aedes granted them. */
  subscriptions: GrantedSubscription[]
  /** The connection, when it is to this process. */
  connection: Connection | null
  /** MQTT 5, on this process: the CONNECT's Clean Start flag (another node's session: unknown). */
  cleanStart?: boolean | null
  /** MQTT 5, on this process: the Session Expiry Interval now, in seconds (DISCONNECT may change it). */
  sessionExpiry?: number | null
}

/** Which sessions are online: this process's connections, or every node's. */
export interface OnlineSessions {
  /** Online sessions with the prefix after `after` (ClientID order), at most `limit`. */
  list(prefix: string, after: string | undefined, limit: number): Promise<LiveSession[]>
  /** The online ones among `clientIds`. */
  find(clientIds: readonly string[]): Promise<Map<string, LiveSession>>
  /** How many sessions with the prefix are online, and how many of them are persistent. */
  count(prefix: string): Promise<{ online: number; persistent: number }>
}

/** A connection of this process as the inspector shows it. */
export function liveOf(connection: Connection, node: string | null): LiveSession {
  return {
    clientId: connection.client.id,
    node,
    clean: connection.clean,
    protocolVersion: connection.protocolVersion,
    keepalive: connection.keepalive,
    username: connection.username,
    remoteAddress: connection.remoteAddress,
    connectedAt: connection.connectedAt,
    lastActivity: connection.lastActivity,
    subscriptions: liveSubscriptions(connection),
    inflight: connection.inflight.size,
    connection,
    cleanStart: connection.cleanStart,
    sessionExpiry: sessionExpiryOf(connection),
  }
}

/** The live subscriptions of an online connection, as aedes granted them. */
export function liveSubscriptions(connection: Connection): GrantedSubscription[] {
  return grantedSubscriptionOptions(connection.client)
}

/** The online sessions of a single broker: its registry's connections. */
export function localOnline(registry: SessionRegistry): OnlineSessions {
  return {
    async list(prefix, after, limit) {
      const matching: Connection[] = []
      for (const connection of registry.onlineConnections()) {
        const id = connection.client.id
        if (id.startsWith(prefix) && (after === undefined || compareClientIds(id, after) > 0)) {
          matching.push(connection)
        }
      }
      matching.sort((a, b) => compareClientIds(a.client.id, b.client.id))
      return matching.slice(0, limit).map((c) => liveOf(c, null))
    },
    async find(clientIds) {
      const found = new Map<string, LiveSession>()
      for (const id of clientIds) {
        const connection = registry.online(id)
        if (connection) found.set(id, liveOf(connection, null))
      }
      return found
    },
    async count(prefix) {
      let online = 0
      let persistent = 0
      for (const connection of registry.onlineConnections()) {
        if (!connection.client.id.startsWith(prefix)) continue
        online++
        if (!connection.clean) persistent++
      }
      return { online, persistent }
    },
  }
}
