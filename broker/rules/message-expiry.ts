import type { PublishStage } from '../aedes/stages.ts'
import type { OutgoingPacket, StoredPacket } from '../store/types.ts'

/** What a message's properties say of its expiry. */
interface Expiring {
  properties?: { messageExpiryInterval?: number } & Record<string, unknown>
  messageExpiry?: number
}

/**
 * MQTT 5 Message Expiry Interval [MQTT-5: 3.3.2-5]: the PUBLISH stage that
 * stamps when a message expires, on the broker's clock, before it is
 * committed for offline sessions (the stores keep `messageExpiry`). aedes
 * stamps it too, on the real clock, only where none is set (aedes.js `publish`).
 */
export function messageExpiryStage(now: () => number): PublishStage {
  return (_client, packet) => {
    const p: Expiring = packet
    const interval = p.properties?.messageExpiryInterval
    if (interval && interval > 0 && p.messageExpiry === undefined) {
      p.messageExpiry = now() + interval * 1000
    }
    return 'pass'
  }
}

/** Whether a queued or in-flight entry's lifetime has run out by `now`. */
export function hasExpired(entry: OutgoingPacket, now: number): boolean {
  if (entry.cmd !== 'publish') return false
  const expiry = (entry as Expiring).messageExpiry
  return expiry !== undefined && expiry <= now
}

/**
 * A queued message as it is sent at `now`: its Message Expiry Interval is
 * what is left of its lifetime [MQTT-5: 3.3.2-6], in whole seconds rounded
 * up. The absolute expiry is left off the copy: it is decided here, and
 * aedes, which reads it on the real clock, does not decide it again.
 */
export function withRemainingLifetime(entry: OutgoingPacket, now: number): OutgoingPacket {
  const { messageExpiry, properties } = entry as Expiring
  if (entry.cmd !== 'publish' || messageExpiry === undefined) return entry
  const { messageExpiry: _, ...packet } = entry as StoredPacket & Expiring
  const remaining = Math.max(1, Math.ceil((messageExpiry - now) / 1000))
  return { ...packet, properties: { ...properties, messageExpiryInterval: remaining } }
}

/**
 * Splits a page of a resumed queue at `now`: the messages whose lifetime ran
 * out while they waited, queued or in flight, are not sent [MQTT-5: 3.3.2-5]
 * (the caller drops them from the store and counts them), the others go
 * with their remaining lifetime.
 */
export function expireQueued(
  page: OutgoingPacket[],
  now: number,
): { send: OutgoingPacket[]; expired: StoredPacket[] } {
  const send: OutgoingPacket[] = []
  const expired: StoredPacket[] = []
  for (const entry of page) {
    if (hasExpired(entry, now)) expired.push(entry as StoredPacket)
    else send.push(withRemainingLifetime(entry, now))
  }
  return { send, expired }
}
