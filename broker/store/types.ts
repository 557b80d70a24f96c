import type { Readable } from 'node:stream'

/** QoS levels of MQTT 3.1.1. */
export type QoS = 0 | 1 | 2

/** What the store needs of a client: aedes passes its Client, tests pass `{ id }`. */
/** A queue entry as {@link SessionStore.outgoingStream} read it, and the packet id it is sent with. */
export interface NumberedEntry {
  entry: OutgoingPacket
  messageId: number
}

export interface ClientRef {
  id: string
}

/** A subscription as a session holds it. */
export interface StoredSubscription {
  topic: string
  qos: QoS
  rh?: number
  rap?: boolean
  nl?: boolean
  /** MQTT 5 Subscription Identifier [MQTT-3.8.2.1.2]; `subscriptionsByTopic` answers it too, for queued copies. */
  subscriptionIdentifier?: number
}

/** A subscription found by topic: who holds it. */
export interface TopicSubscription extends StoredSubscription {
  clientId: string
}

/**
 * A packet as aedes hands it to the store: a PUBLISH, queued or in flight.
 * `payload` is a string when the publisher passed one (aedes' own contract
 * suite stores string payloads and expects them back as strings).
 */
export interface StoredPacket {
  cmd: string
  topic: string
  payload: Buffer | string
  qos: QoS
  retain: boolean
  dup: boolean
  messageId?: number
  brokerId?: string
  brokerCounter?: number
  clientId?: string
  [key: string]: unknown
}

/**
 * What replaces a QoS 2 PUBLISH in the outgoing queue once the receiver
 * answered PUBREC [MQTT-4.3.3-1]: aedes hands `{ cmd: 'pubrel', messageId }`.
 */
export interface PubrelPacket {
  cmd: 'pubrel'
  messageId: number
  brokerId?: string
  brokerCounter?: number
}

/** An entry of a client's outgoing queue. */
export type OutgoingPacket = StoredPacket | PubrelPacket

/** What identifies an entry of the outgoing queue. */
export interface OutgoingRef {
  messageId?: number
  brokerId?: string
  brokerCounter?: number
}

/**
 * A Will as CONNECT carried it; `putWill` stamps `brokerId` and `clientId`
 * on it, as aedes' stores do.
 */
export interface WillPacket {
  topic: string
  payload: Buffer | string
  qos: QoS
  retain: boolean
  brokerId?: string
  clientId?: string
  [key: string]: unknown
}

/**
 * What a store keeps about a persistent session beside its state, for the
 * inspector. Times are ms since the epoch, null when not known (e.g. a
 * session from a schema-1 file).
 */
export interface SessionRecord {
  clientId: string
  protocolVersion: number | null
  keepalive: number | null
  username: string | null
  remoteAddress: string | null
  createdAt: number | null
  connectedAt: number | null
  /** null while connected. */
  disconnectedAt: number | null
  lastActivity: number | null
  dropped: number
  takeovers: number
  /**
   * The broker node the session is recorded as connected to, in a cluster
   * (the redis store keeps it; memory and sqlite ignore it). Absent when none.
   */
  node?: string | null
  /**
   * MQTT 5: the session's Session Expiry Interval in seconds, as CONNECT
   * asked (within `--max-session-expiry`) or DISCONNECT changed it; the
   * session ends that long after `disconnectedAt`, 0xFFFFFFFF never
   * [MQTT-3.1.2-11]. Absent for an MQTT 3.1.1 session, which
   * `--session-expiry` governs.
   */
  sessionExpiry?: number
}

/** 0xFFFFFFFF: a session that never expires [MQTT-3.1.2-11]. */
export const SESSION_NEVER_EXPIRES = 0xffffffff

/** The fields of a {@link SessionRecord} that `touchSession` sets; `sessionExpiry: null` clears it. */
export type SessionTouch = Partial<
  Omit<SessionRecord, 'clientId' | 'createdAt' | 'dropped' | 'takeovers' | 'sessionExpiry'>
> & { sessionExpiry?: number | null }

/** An MQTT 5 session whose Session Expiry Interval ran out while it was offline. */
export interface EndedSession {
  clientId: string
  disconnectedAt: number
  /** Seconds. */
  sessionExpiry: number
}

/** Aggregates over one session's state, computed by the store. */
export interface SessionStats {
  subscriptions: number
  /** Queued PUBLISH packets never sent (no packet id yet). */
  queued: number
  /** Payload bytes of those. */
  queuedBytes: number
  /** When the oldest of those was queued; null when none is. */
  oldestQueuedAt: number | null
  /** Outgoing entries sent and not yet acknowledged, PUBRELs included. */
  inflight: number
  /** Incoming QoS 2 PUBLISH packets awaiting PUBREL. */
  incoming: number
}

/** A keyset page of sessions in ClientID order (UTF-8 byte order). */
export interface SessionRange {
  prefix?: string
  /** Only ClientIDs after this one. */
  after?: string
  limit: number
}

/**
 * What a session list can be sorted by in the store. Each session's sort
 * value is a number: `queued` its queued (never sent) PUBLISH count,
 * `connectedAt` / `lastActivity` ms since the epoch or -1 where the store
 * does not know (before any other time in ascending order), 0 for
 * `clientId`. Ties are broken by ClientID (UTF-8 byte order) in the same
 * direction, so (value, ClientID) orders every session once.
 */
export type SessionSortKey = 'clientId' | 'connectedAt' | 'lastActivity' | 'queued'

/** A keyset page of sessions in the order of `by`, then ClientID, ascending or descending. */
export interface SortedSessionRange {
  by: SessionSortKey
  order: 'asc' | 'desc'
  prefix?: string
  /** Only sessions after this (value, ClientID) in the order asked. */
  after?: { value: number; clientId: string }
  limit: number
}

/** A session's record with the value it was sorted by. */
export interface SortedSessionRecord {
  record: SessionRecord
  value: number
}

/** The broker aedes passes to `setup`. */
export interface StoreBroker {
  id: string
  [key: string]: unknown
}

/**
 * The aedes-persistence 11 async interface (see
 * node_modules/aedes-persistence/types/asyncPersistence.d.ts). Every store runs
 * aedes' own contract suite, `aedes-persistence/abstract.js`.
 */
export interface AedesPersistence {
  setup(broker: StoreBroker): Promise<void>
  storeRetained(packet: StoredPacket): Promise<void>
  createRetainedStream(pattern: string): Readable
  createRetainedStreamCombi(patterns: string[]): Readable
  addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void>
  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void>
  subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]>
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>
  subscriptionsByTopic(topic: string): Promise<TopicSubscription[]>
  cleanSubscriptions(client: ClientRef): Promise<void>
  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void>
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void>
  /**
   * Records what became of a queue entry. The entry with the packet's
   * brokerId+brokerCounter takes its messageId (the PUBLISH was sent);
   * otherwise the first entry with the packet's messageId and another origin
   * is replaced by the packet, in place (a PUBREL replaces its PUBLISH).
   * Rejects with `Error('no such packet')` when no entry matches.
   */
  outgoingUpdate(client: ClientRef, packet: OutgoingPacket): Promise<void>
  /**
   * Gives entries read from {@link outgoingStream} the packet ids of their
   * first send, in one commit: as {@link outgoingUpdate} of each
   * `{ ...entry, messageId }`, but each entry found where the stream read it
   * rather than by its origin, and all of them in a statement or two (a
   * resumed queue numbers a page at a time). Rejects like it when an entry is
   * gone. Absent where `outgoingUpdate` per entry costs no more.
   */
  outgoingNumber?(client: ClientRef, numbered: readonly NumberedEntry[]): Promise<void>
  /**
   * Removes the client's first queue entry with `packet.messageId` and returns
   * it. Without a messageId (a packet aedes never sent, e.g. one
   * `authorizeForward` refused) the entry is found by brokerId+brokerCounter.
   */
  outgoingClearMessageId(
    client: ClientRef,
    packet: OutgoingRef,
  ): Promise<OutgoingPacket | undefined>
  /**
   * Removes the client's first entry sent with `messageId` (its PUBACK or
   * PUBCOMP came), like {@link outgoingClearMessageId} but without reading the
   * entry back: for stores where that read is a real cost (SQLite's
   * `RETURNING *` was half of the DELETE). Absent where it is free.
   */
  outgoingAcknowledge?(client: ClientRef, messageId: number): Promise<void>
  /**
   * Streams the client's queue, oldest first, as {@link OutgoingPacket}s: the
   * entries queued when it is called (later ones are not included).
   */
  outgoingStream(client: ClientRef): Readable
  /**
   * Whether the client's queue holds any entry, answered at once: most
   * connections resume nothing, and a stream costs tens of microseconds
   * even when empty. Absent where the answer is a round trip (redis).
   */
  hasOutgoing?(clientId: string): boolean
  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void>
  incomingGetPacket(client: ClientRef, packet: { messageId?: number }): Promise<StoredPacket>
  incomingDelPacket(client: ClientRef, packet: { messageId?: number }): Promise<void>
  cleanIncoming(client: ClientRef): Promise<void>
  putWill(client: ClientRef, packet: WillPacket): Promise<void>
  getWill(client: ClientRef): Promise<WillPacket | undefined>
  delWill(client: { id: string; brokerId?: string }): Promise<WillPacket | undefined>
  streamWill(brokers?: Record<string, unknown>): Readable
  getClientList(topic: string): Readable
  destroy(): Promise<void>
}

/** How many PUBLISH entries a session has queued and never sent, and their payload bytes. */
export interface QueueTotals {
  count: number
  bytes: number
}

/** A queued, never-sent PUBLISH as the queue caps see it. */
export interface QueuedEntry {
  topic: string
  qos: QoS
  /** Payload size in bytes (UTF-8 for a string payload). */
  bytes: number
}

/**
 * What the session policies (`broker/policies/`) need of a store: queue
 * totals kept as counters, never counted per publish; dropping the oldest
 * queued messages in the same transaction as an enqueue; and the QoS 0
 * subscriptions no aedes store indexes.
 */
export interface QueuePolicyStore {
  /**
   * The client's queued, never-sent PUBLISH entries (count and payload bytes),
   * from counters loaded once when the store opens and kept with each write.
   * A store whose counters live in a shared server (redis) answers with a
   * promise; memory and sqlite answer at once, so their callers stay in the tick.
   */
  queuedTotals(clientId: string): QueueTotals | Promise<QueueTotals>
  /**
   * Offers the client's queued, never-sent PUBLISH entries to `drop`, oldest
   * first, with the totals left before each: an entry it accepts is removed,
   * the first it refuses ends the walk. Memory and sqlite run it
   * synchronously, in the current write transaction, so drops issued in the
   * same tick as an enqueue commit with it; a store whose `queuedTotals`
   * answers with a promise calls `drop` later, before this resolves. Resolves
   * once committed.
   */
  dropOldestQueued(
    clientId: string,
    drop: (entry: QueuedEntry, left: QueueTotals) => boolean,
  ): Promise<void>
  /**
   * Persistent sessions' QoS 0 subscriptions matching `topic`, from memory:
   * `subscriptionsByTopic` answers only QoS 1/2 ones, as aedes expects.
   */
  qos0SubscriptionsByTopic(topic: string): TopicSubscription[]
}

/**
 * One persistent view of the dashboard (its own CleanSession=0 session,
 * `web/server/views.ts`) as a store keeps it. The store does not read `data`.
 */
export interface DashboardViewRecord {
  /** The viewer id the view's signed cookie names. */
  id: string
  /** When a page of the view was last seen, ms since the epoch. */
  lastSeen: number
  /** The view's state and the changes it missed, as the dashboard encodes them (JSON). */
  data: string
}

/**
 * Where the dashboard keeps its persistent views so that they survive a
 * restart, as the broker keeps persistent sessions. The dashboard bounds how
 * many there are and how large each is; the store keeps what it is given.
 */
export interface DashboardViewStore {
  /** Every view kept, in no particular order. */
  loadDashboardViews(): Promise<DashboardViewRecord[]>
  /** Creates or replaces each view given (by id); committed before it resolves. */
  saveDashboardViews(views: readonly DashboardViewRecord[]): Promise<void>
  /** Forgets the views named; ids it does not hold are ignored. Committed before it resolves. */
  deleteDashboardViews(ids: readonly string[]): Promise<void>
}

/** A page of a session's outgoing queue: entries after sequence number `after`, at most `limit`. */
export interface OutgoingRange {
  /** Only entries after this one (an entry's `seq`); from the start when absent. */
  after?: number
  limit: number
}

/**
 * An entry of a session's outgoing queue as an operator lists it: never sent
 * (`messageId` null), or in flight — a PUBLISH sent and not yet acknowledged,
 * or the PUBREL that replaced a QoS 2 PUBLISH once PUBREC came. A PUBREL
 * keeps no topic or payload: those fields are null.
 */
export interface OutgoingEntry {
  /** Its place in queue order (ascending, not contiguous): pass it as `after` to read on. */
  seq: number
  cmd: 'publish' | 'pubrel'
  /** The packet id it was sent with; null while never sent. */
  messageId: number | null
  topic: string | null
  qos: QoS
  /** The DUP flag as stored (a PUBREL: false). */
  dup: boolean
  retain: boolean | null
  /** Payload size in bytes (UTF-8 for a string payload). */
  payloadBytes: number | null
  /** The first 64 bytes of the payload (`PAYLOAD_HEAD_BYTES`, broker/store/listing.ts). */
  payloadHead: Buffer | null
  /** When it was queued, ms since the epoch; null where not known. */
  queuedAt: number | null
  /** MQTT 5: when its Message Expiry Interval runs out, ms since the epoch (aedes' `messageExpiry`); absent without one. */
  messageExpiry?: number
}

/** A page of retained messages in topic order (UTF-8 byte order). */
export interface RetainedRange {
  /** Only topics that start with it. */
  prefix?: string
  /** Only topics after this one. */
  after?: string
  limit: number
}

/** A retained message as an operator lists it. */
export interface RetainedEntry {
  topic: string
  qos: QoS
  payloadBytes: number
  /** The first 64 bytes of the payload (`PAYLOAD_HEAD_BYTES`, broker/store/listing.ts). */
  payloadHead: Buffer
}

/**
 * What the operator console reads of a store: a session's queue and the
 * retained messages, a page at a time, without loading either whole.
 */
export interface OperatorListStore {
  /** A page of the client's outgoing queue in queue order, queued and in-flight entries alike. */
  listOutgoing(clientId: string, range: OutgoingRange): Promise<OutgoingEntry[]>
  /** A page of the retained messages in topic order (UTF-8 byte order). */
  listRetained(range: RetainedRange): Promise<RetainedEntry[]>
  /**
   * The client's incoming QoS 2 PUBLISH packets awaiting PUBREL, in packet
   * id order, at most `limit` (a client has at most 65,535 of them).
   */
  listIncoming(clientId: string, limit: number): Promise<IncomingEntry[]>
}

/**
 * An incoming QoS 2 PUBLISH as an operator lists it: received, answered
 * with PUBREC, kept until its PUBREL [MQTT-4.3.3-2]. The stores keep no
 * time of arrival for it.
 */
export interface IncomingEntry {
  messageId: number
  topic: string
  qos: QoS
  dup: boolean
  retain: boolean
  payloadBytes: number
  /** The first 64 bytes of the payload (`PAYLOAD_HEAD_BYTES`, broker/store/listing.ts). */
  payloadHead: Buffer
}

/** Which sweep finds a session due (see `SessionStore.claimExpired`). */
export type ExpiryDue = { endedBy: number } | { idleBefore: number }

/**
 * A session store: the aedes interface plus what SessionLab needs to get the
 * session rules right, which no aedes store offers. A "session" here is the
 * state the broker keeps for a ClientID that connected with CleanSession=0.
 */
export interface SessionStore
  extends AedesPersistence,
    QueuePolicyStore,
    DashboardViewStore,
    OperatorListStore {
  readonly kind: 'sqlite' | 'memory' | 'redis'
  /**
   * Marks that a persistent session exists for `clientId`, creating it if
   * needed, and tells whether it existed before: CONNACK's session-present
   * flag [MQTT-3.2.2-2]. Committed before it resolves.
   */
  openSession(clientId: string): Promise<boolean>
  /**
   * Discards everything held for `clientId`: subscriptions, queued and
   * in-flight messages, incoming QoS 2 state and the session marker
   * [MQTT-3.1.2-6]. The Will is not part of it. Committed before it resolves.
   */
  discardSession(clientId: string): Promise<void>
  /**
   * A cluster's store: discards the session as {@link discardSession} does,
   * but only if it is still due, offline and ended by `due.endedBy` (MQTT 5)
   * or idle since before `due.idleBefore` (3.1.1); whether it did. Of the
   * nodes that sweep the same records at once, one gets true, so a session
   * ends once; one that connected again meanwhile, on any node, is kept.
   * A store of one broker has no other sweep and need not have it.
   */
  claimExpired?(clientId: string, due: ExpiryDue): Promise<boolean>
  /** The session's record; undefined when there is no persistent session. */
  getSession(clientId: string): Promise<SessionRecord | undefined>
  /** Sessions in ClientID order (UTF-8 byte order), keyset-paginated. */
  listSessions(range: SessionRange): Promise<SessionRecord[]>
  /** Sessions sorted by a column of the session list, keyset-paginated ({@link SessionSortKey}). */
  listSessionsSorted(range: SortedSessionRange): Promise<SortedSessionRecord[]>
  /** How many persistent sessions there are (with the prefix, if given). */
  countSessions(prefix?: string): Promise<number>
  /** Sets fields of an existing session's record; a no-op when there is none. */
  touchSession(clientId: string, touch: SessionTouch): Promise<void>
  /** Adds to an existing session's counters; a no-op when there is none. */
  addToSession(clientId: string, counts: { dropped?: number; takeovers?: number }): Promise<void>
  /**
   * Aggregates for each of the sessions named, answered by queries (nothing
   * loaded whole); a ClientID with no state at all maps to zeros.
   */
  sessionStats(clientIds: readonly string[]): Promise<Map<string, SessionStats>>
  /**
   * MQTT 3.1.1 sessions (no `sessionExpiry`) disconnected before `before`,
   * longest idle first, at most `limit`.
   */
  idleSessions(
    before: number,
    limit: number,
  ): Promise<{ clientId: string; disconnectedAt: number }[]>
  /**
   * MQTT 5 sessions offline whose Session Expiry Interval has run out by
   * `now` (disconnectedAt + sessionExpiry s <= now), earliest end first, at
   * most `limit`; 0xFFFFFFFF never ends.
   */
  endedSessions(now: number, limit: number): Promise<EndedSession[]>
  /** When the next MQTT 5 session offline ends (ms since the epoch), null when none will. */
  nextSessionEnd(): Promise<number | null>
  /**
   * Marks every session still recorded as connected as disconnected at `at`:
   * at start-up, those are the sessions of a run that ended without saying.
   * Resolves with how many there were.
   */
  closeOpenSessions(at: number): Promise<number>
  /**
   * Queued (never sent) and in-flight entries over every session, from the
   * store's counters and indexes rather than a walk of the sessions. Absent
   * where a store cannot (redis): the broker's totals then sum the sessions.
   */
  queueTotals?(): Promise<{ queued: number; inflight: number }>
  /**
   * Subscriptions over every persistent session, online or offline, QoS 0
   * ones included (aedes' `countOffline` counts QoS 1/2 only), from the
   * in-memory indexes every store keeps: for `$SYS/broker/subscriptions/count`.
   */
  countSubscriptions(): Promise<number>
  /**
   * Retained messages held, counted without reading them: for the start-up
   * report and `$SYS/broker/retained messages/count`.
   */
  countRetained(): Promise<number>
  /** Resolves once every write issued so far is committed. */
  flush(): Promise<void>
  /** Commits every write issued so far before returning (a no-op where nothing is pending). */
  commitNow(): void
}
