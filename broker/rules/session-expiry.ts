import {
  brokerOf,
  type Client,
  isAedesConnection,
  onIncomingPacket,
  refuseDisconnect,
  requestedSessionExpiry,
} from '../aedes/connection.ts'
import { sessionEnded } from '../aedes/instance.ts'
import { ReasonCode } from '../aedes/reason-codes.ts'
import type { ConnectStage } from '../aedes/stages.ts'
import type { ClientRef } from '../store/types.ts'

/**
 * Whether a CONNECT with Clean Start 1 starts a session that outlives its
 * connection: MQTT 5 with a Session Expiry Interval > 0 (aedes' `clean`
 * is then false). aedes only asks the store to discard the old session
 * (handlers/connect.js `fetchSubs`), never to open the new one, so without
 * a session record its interval was never stored and it never ended.
 */
export function startsNewPersistentSession(client: ClientRef): boolean {
  return isAedesConnection(client) && client.version === 5 && client.clean === false
}

/**
 * MQTT 5 Session Expiry on DISCONNECT: a client may change its session's
 * interval as it leaves, but never from 0 to non-zero [MQTT-3.14.2-2]. Such
 * a DISCONNECT is not a valid one: the server answers DISCONNECT 0x82
 * (Protocol Error) and closes the connection, publishing the Will, and the
 * session ends with the connection as CONNECT said. aedes 2 only ignores
 * the new value (lib/handlers/index.js) and deletes the Will as for a
 * normal DISCONNECT. Any other change is aedes' (within `--max-session-expiry`);
 * the session's end is then decided by broker/inspector/expiry.ts.
 */
export function isProtocolErrorDisconnect(
  requested: number | null,
  packet: { cmd: string; properties?: { sessionExpiryInterval?: number } },
): boolean {
  if (requested !== 0 || packet.cmd !== 'disconnect') return false
  return (packet.properties?.sessionExpiryInterval ?? 0) > 0
}

/**
 * The CONNECT stage of {@link isProtocolErrorDisconnect}. Listed after the
 * Will rule's stage (broker/rules/wills.ts): its packet listener then runs
 * first, and the Will stays stored for the close to publish.
 */
export const disconnectExpiryStage: ConnectStage = {
  read(client: Client) {
    onIncomingPacket(
      client,
      (packet) => {
        if (!isProtocolErrorDisconnect(requestedSessionExpiry(client), packet)) return
        refuseDisconnect(client, packet, ReasonCode.protocolError)
      },
      { first: true },
    )
  },
}

/**
 * An MQTT 5 session of interval 0 ends as its connection closes
 * [MQTT-3.1.2-23], so a CONNECT that follows at once must not find it: this
 * check waits until the closed connection's session is gone from the store
 * (the wipe is several store calls, several round trips on Redis) before
 * aedes reads the session and CONNACK says session present. Without it, a
 * quick reconnect with Clean Start 0 got session present 1 and the old
 * subscriptions. Per node: a reconnect to another cluster node is not fenced.
 */
export const sessionEndedFence: ConnectStage = {
  async check(client: Client) {
    await sessionEnded(brokerOf(client), client.id)
    return null
  },
}
