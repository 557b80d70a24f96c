/** Why a queue cap dropped a message: too many messages, or too many payload bytes. */
export type DropReason = 'queue-full' | 'queue-bytes'

/**
 * What the session policies count since start-up, for `/metrics` and `$SYS`.
 * Written only by `broker/policies/`; everyone else reads. Each session's
 * own dropped count is kept in its store record (`SessionRecord.dropped`).
 */
export class PolicyCounters {
  /** Messages a queue cap dropped, for any reason. */
  dropped = 0
  /** The same, by reason. */
  readonly droppedBy: Record<DropReason, number> = { 'queue-full': 0, 'queue-bytes': 0 }
  /** QoS 0 copies queued for offline persistent sessions (`--queue-qos0`). */
  queuedQos0 = 0
}
