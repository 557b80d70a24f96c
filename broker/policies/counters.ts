/**
 * Why a message was dropped for a session: a queue cap (too many messages,
 * or too many payload bytes), or its MQTT 5 Message Expiry Interval ran out
 * while it waited [MQTT-5: 3.3.2-5], or it is larger than the MQTT 5
 * client's Maximum Packet Size [MQTT-3.1.2-25].
 */
export type DropReason = 'queue-full' | 'queue-bytes' | 'expired' | 'too-large'

/**
 * What the session policies count since start-up, for `/metrics` and `$SYS`.
 * Written only by `broker/policies/`; everyone else reads. Each session's
 * own dropped count is kept in its store record (`SessionRecord.dropped`).
 */
export class PolicyCounters {
  /** Messages dropped, for any reason. */
  dropped = 0
  /** The same, by reason. */
  readonly droppedBy: Record<DropReason, number> = {
    'queue-full': 0,
    'queue-bytes': 0,
    expired: 0,
    'too-large': 0,
  }
  /** QoS 0 copies queued for offline persistent sessions (`--queue-qos0`). */
  queuedQos0 = 0
}
