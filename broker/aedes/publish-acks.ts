import type { Client } from 'aedes'
import { wireVersionOf } from './connection.ts'
import { beforeEncode } from './routing.ts'
import { inboundQos2Ended } from './safeguards.ts'

/** Per MQTT 5 connection: the reason code the PUBACK/PUBREC of a packet id is to carry. */
const reasons = new WeakMap<Client, Map<number, number>>()

/**
 * MQTT 5: the PUBACK or PUBREC aedes writes next for the client's PUBLISH
 * `messageId` carries `reasonCode` [MQTT-5: 3.4.2.1, 3.5.2.1] instead of
 * 0x00, while aedes still routes the message (its own 0x87 path would drop
 * it). aedes builds the acknowledgement itself (handlers/publish.js), so the
 * code is set as mqtt-packet encodes it ({@link beforeEncode}), hooked on a
 * connection the first time it needs one: connections that never do pay
 * nothing. A PUBREC of 0x80 or more ends the QoS 2 flow: no PUBREL comes, so
 * the inbound window forgets the id. Nothing for MQTT 3.1.1 (no reason
 * codes): false then, true when the code will be sent.
 */
export function acknowledgeWithReason(
  client: Client,
  messageId: number,
  reasonCode: number,
): boolean {
  if (wireVersionOf(client) !== 5) return false
  let pending = reasons.get(client)
  if (!pending) {
    const mine = new Map<number, number>()
    beforeEncode(client, (packet) => {
      if (packet.cmd !== 'puback' && packet.cmd !== 'pubrec') return
      const id = packet.messageId
      const code = id === undefined ? undefined : mine.get(id)
      if (id === undefined || code === undefined) return
      mine.delete(id)
      packet.reasonCode = code
      if (packet.cmd === 'pubrec' && code >= 0x80) inboundQos2Ended(client, id)
    })
    reasons.set(client, mine)
    pending = mine
  }
  pending.set(messageId, reasonCode)
  return true
}
