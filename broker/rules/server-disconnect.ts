import { type Client, sendServerDisconnect } from '../aedes/connection.ts'
import type { Aedes } from '../aedes/instance.ts'
import { ReasonCode } from '../aedes/reason-codes.ts'

/**
 * MQTT 5: when the server closes a connection it may say why, with a
 * DISCONNECT and a reason code [MQTT-3.14.2-1]. aedes 2 says so on a
 * takeover on one node (0x8E), on shutdown (0x8B) and for its own packet
 * size limit (0x95); the other closes are SessionLab's or silent in aedes,
 * and each sends its reason through here (none for 3.1.1, which has no
 * server DISCONNECT):
 *
 * - keep alive timeout, 0x8D: aedes closes the connection without one
 *   (lib/handlers/connect.js `keepaliveTimeout`) [MQTT-3.1.2-22];
 * - a takeover from another cluster node, 0x8E (broker/rules/takeover.ts);
 * - `--max-packet-size`, 0x95 (broker/auth/stages.ts);
 * - a slow consumer closed by `--max-pending-deliveries`, 0x97 (quota
 *   exceeded; broker/rules/delivery.ts).
 */
export function sayWhyOnKeepaliveTimeout(aedes: Aedes): void {
  // emitted just before aedes fails the connection, which then sends what the writer holds
  aedes.on('keepaliveTimeout', (client: Client) =>
    sendServerDisconnect(client, ReasonCode.keepAliveTimeout),
  )
}

/** A packet over `--max-packet-size` is about to close the connection. */
export function packetTooLarge(client: Client): void {
  sendServerDisconnect(client, ReasonCode.packetTooLarge)
}

/** A slow consumer is about to be closed. */
export function quotaExceeded(client: Client): void {
  sendServerDisconnect(client, ReasonCode.quotaExceeded)
}
