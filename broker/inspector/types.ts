/**
 * The session inspector's model: one view of a session per ClientID, online
 * or offline, and the typed events that change it. `web/`, the HTTP API and
 * tests read sessions only through these types.
 */

export type DisconnectReason =
  | 'client' // DISCONNECT received
  | 'network' // the connection broke without DISCONNECT
  | 'keepalive' // silent for 1.5x its keepalive
  | 'takeover' // another connection took the ClientID
  | 'protocol-error' // a malformed or forbidden packet
  | 'slow-consumer' // too many unwritten deliveries
  | 'admin' // an operator disconnected it
  | 'shutdown' // the broker stopped

/** One entry of a session's bounded history; `at` is ms since the epoch. */
export type SessionEvent =
  | {
      type: 'connect'
      at: number
      clean: boolean
      sessionPresent: boolean
      remoteAddress: string | null
      protocolVersion: number | null
      keepalive: number | null
      username: string | null
      /** MQTT 5: the CONNECT's Clean Start flag (`clean` then says the session ends with the connection). */
      cleanStart?: boolean
      /** MQTT 5: the Session Expiry Interval granted, in seconds. */
      sessionExpiry?: number
    }
  | {
      type: 'disconnect'
      at: number
      reason: DisconnectReason
      /** A takeover on this node: the remote address of the connection that took the ClientID. */
      takenOverBy?: string | null
      /** MQTT 5: the DISCONNECT the server sent saying why it closed the connection [MQTT-3.14.2-1]. */
      serverDisconnect?: ServerDisconnect
    }
  | { type: 'subscribe'; at: number; topic: string; qos: 0 | 1 | 2 | 128 }
  | { type: 'unsubscribe'; at: number; topic: string }
  | { type: 'queued'; at: number; topic: string; qos: 0 | 1 | 2; bytes: number }
  | {
      type: 'dropped'
      at: number
      topic: string
      bytes: number
      why: 'queue-full' | 'queue-bytes' | 'expired' | 'too-large'
    }
  | { type: 'delivered'; at: number; topic: string; qos: 0 | 1 | 2 }
  | { type: 'expired'; at: number; idleMs: number }
  | { type: 'deleted'; at: number; by: 'admin' }
  /** A CONNECT for this ClientID was refused: another user's session (CONNACK 0x05). */
  | { type: 'refused'; at: number; username: string | null; reason: string }
  /** The connection closed without DISCONNECT and its Will was published [MQTT-3.1.2-8]. */
  | { type: 'will'; at: number; topic: string; qos: 0 | 1 | 2; retain: boolean; bytes: number }

export type SessionEventType = SessionEvent['type']

/** An MQTT 5 DISCONNECT reason code and the spec's name for it (`0x8E`, "Session taken over"). */
export interface ServerDisconnect {
  code: number
  name: string
}

/**
 * When a session ends once its connection is gone: MQTT 5's Session Expiry
 * Interval, or for MQTT 3.1/3.1.1 CleanSession and `--session-expiry`.
 */
export interface SessionExpiryView {
  /** MQTT 5: the Session Expiry Interval in seconds (0xFFFFFFFF: never); null for 3.1/3.1.1. */
  interval: number | null
  /**
   * `connection`: it ends with its connection (Session Expiry 0, CleanSession=1);
   * `never`: it is kept until resumed or deleted (0xFFFFFFFF [MQTT-3.1.2-11],
   * or 3.1.1 without `--session-expiry`); `after-disconnect`: online, it
   * ends `seconds` after its connection closes; `at`: offline, it ends at `at`.
   */
  ends: 'connection' | 'never' | 'after-disconnect' | 'at'
  /** How long it outlives its connection, in seconds; null for `connection` and `never`. */
  seconds: number | null
  /** Offline: when it ends, ms since the epoch, from the store's record (disconnected at + seconds). */
  at: number | null
}

export interface WillView {
  topic: string
  qos: 0 | 1 | 2
  retain: boolean
  payloadBytes: number
  /** The payload as text when it is printable UTF-8, cut to 200 characters; else hex of its first 100 bytes. Cuts end with '…'. */
  preview: string
  /** How `preview` shows the payload: as its text, or as hex of its bytes. */
  previewKind: 'text' | 'hex'
  /** MQTT 5 Will Delay Interval in seconds [MQTT-3.1.3-9]: how long after the connection closes it is published; 0 for 3.1.1. */
  delay: number
}

/** A subscription as the session holds it, with its MQTT 5 options (absent for 3.1.1). */
export interface SubscriptionView {
  /** As the client subscribed: a shared one as `$share/{group}/{filter}`. */
  topic: string
  qos: 0 | 1 | 2
  /** The group of a shared subscription. */
  shareGroup?: string
  /** MQTT 5 No Local: the client's own messages are not sent back [MQTT-3.8.3-3]. */
  noLocal?: boolean
  /** MQTT 5 Retain As Published: RETAIN is forwarded as published [MQTT-3.3.1-12]. */
  retainAsPublished?: boolean
  /** MQTT 5 Retain Handling: 0 send retained on subscribe, 1 only on a new subscription, 2 never [MQTT-3.3.1-9..11]. */
  retainHandling?: 0 | 1 | 2
  /** MQTT 5 Subscription Identifier, sent with each message it matches [MQTT-3.3.4-3]. */
  identifier?: number
}

export interface QueueView {
  /** Queued, not yet sent. */
  count: number
  bytes: number
  /** Age of the oldest queued message in ms, null when the queue is empty. */
  oldestAgeMs: number | null
}

/** Everything the broker holds for one ClientID. Times are ms since the epoch. */
export interface SessionView {
  clientId: string
  /** `ended`: a clean session that ended recently, kept to be looked at (`--ended-sessions`). */
  state: 'online' | 'offline' | 'ended'
  connected: boolean
  /** The broker id of the cluster node it is connected to; null when offline or on a single broker. */
  node: string | null
  /** The session ends with its connection: CleanSession=1 (3.1/3.1.1), Session Expiry 0 (MQTT 5). */
  clean: boolean
  /** MQTT 5: the Clean Start flag of the connection's CONNECT; null offline and for 3.1/3.1.1. */
  cleanStart: boolean | null
  /** When the session ends once its connection is gone. */
  expiry: SessionExpiryView
  protocolVersion: number | null
  keepalive: number | null
  username: string | null
  remoteAddress: string | null
  connectedAt: number | null
  disconnectedAt: number | null
  lastActivity: number | null
  will: WillView | null
  subscriptions: SubscriptionView[]
  queue: QueueView
  /** Outgoing QoS 1/2 messages sent and not yet acknowledged (PUBRELs included). */
  inflight: number
  /** Incoming QoS 2 messages received and waiting for PUBREL. */
  incomingAwaitingPubrel: number
  dropped: number
  takeovers: number
  /** When and why an ended clean session ended (with the server's MQTT 5 DISCONNECT, if one was sent); null for a session the broker holds. */
  ended: { at: number; reason: DisconnectReason; serverDisconnect?: ServerDisconnect } | null
  /** Oldest first, at most `historySize` entries. */
  history: SessionEvent[]
}

/** A row of the session list. */
export type SessionSummary = Pick<
  SessionView,
  | 'clientId'
  | 'state'
  | 'connected'
  | 'node'
  | 'clean'
  | 'protocolVersion'
  | 'username'
  | 'remoteAddress'
  | 'connectedAt'
  | 'disconnectedAt'
  | 'lastActivity'
  | 'inflight'
  | 'dropped'
  | 'ended'
> & { queued: number; subscriptions: number }

export interface SessionListQuery {
  /** Without it: every session the broker holds, online or offline (ended ones only with `ended`). */
  state?: 'online' | 'offline' | 'ended'
  /** ClientID prefix. */
  prefix?: string
  /** The column the whole list is sorted by; ClientID when absent. */
  sort?: SessionListSort
  /** Ascending when absent. */
  order?: 'asc' | 'desc'
  /** Opaque, from a previous page's `next` of the same sort and order. */
  cursor?: string
  limit: number
}

/**
 * What the session list sorts by: ties broken by ClientID in the same
 * direction. `state` ascending is online, then offline; a time not known
 * sorts before every known one.
 */
export type SessionListSort = 'clientId' | 'state' | 'queued' | 'lastActivity' | 'connectedAt'

export interface SessionPage {
  sessions: SessionSummary[]
  /** Cursor of the next page, null on the last one. */
  next: string | null
  counts: { online: number; offline: number; total: number }
}

/** A CONNECT the broker refused with a CONNACK return code [MQTT-3.2.2-5]: no session came of it. */
export interface ConnectRefused {
  /** null when the CONNECT left it to the broker. */
  clientId: string | null
  at: number
  returnCode: 1 | 2 | 3 | 4 | 5
  reason: string
  remoteAddress: string | null
  username: string | null
  clean: boolean
}

/** A change to one session, as the event stream carries it. */
export interface SessionChange {
  clientId: string
  event: SessionEvent
}

/** Broker-wide session figures at one moment. */
export interface SessionTotals {
  online: number
  offline: number
  total: number
  /** Messages queued for sessions, not yet sent. */
  queued: number
  /** Outgoing QoS 1/2 messages sent and not yet acknowledged. */
  inflight: number
}

/** A page request of a listing: as many entries as `limit`, after the one `cursor` stands for. */
export interface PageQuery {
  /** Opaque, from a previous page's `next`. */
  cursor?: string
  limit: number
}

/**
 * An entry of a session's outgoing queue as the operator sees it: queued
 * (never sent) or in flight, and then what acknowledgement it waits for.
 */
export interface QueueEntryView {
  /** Its place in queue order; the page cursor after it stands for it. */
  seq: number
  /** `queued`: never sent; `inflight`: sent, its acknowledgement not yet come. */
  state: 'queued' | 'inflight'
  /** What an in-flight entry waits for: PUBACK (QoS 1), PUBREC (QoS 2), PUBCOMP (after PUBREL); null when queued. */
  awaiting: 'puback' | 'pubrec' | 'pubcomp' | null
  /** The packet id it was sent with; null while never sent. */
  messageId: number | null
  /** null for a PUBREL: the PUBLISH it replaced kept no topic or payload. */
  topic: string | null
  qos: 0 | 1 | 2
  /** Whether the next send of it carries DUP=1 [MQTT-3.3.1-1]. */
  dup: boolean
  retain: boolean | null
  payloadBytes: number | null
  /**
   * When it was queued, ms since the epoch; null where the store does not
   * know. For a clean session's in-flight message (never queued), when it was sent.
   */
  queuedAt: number | null
  /**
   * MQTT 5 Message Expiry: when it expires, ms since the epoch, and how long
   * it has left then (it is dropped, not sent, past it [MQTT-3.3.2-5]); null
   * for a message without one.
   */
  expiresAt: number | null
  expiresInMs: number | null
  /** Of the payload's first 64 bytes, as a Will's payload is shown; null for a PUBREL. */
  preview: string | null
  previewKind: WillView['previewKind'] | null
}

/**
 * An incoming QoS 2 PUBLISH of the client, answered with PUBREC: already
 * published, and held until its PUBREL so a retransmission of it is not
 * published twice [MQTT-4.3.3-2].
 */
export interface IncomingEntryView {
  messageId: number
  topic: string
  qos: 0 | 1 | 2
  dup: boolean
  retain: boolean
  payloadBytes: number
  /** Of the payload's first 64 bytes, as a Will's payload is shown. */
  preview: string
  previewKind: WillView['previewKind']
}

/** One page of a session's queue, oldest first. */
export interface QueuePage {
  clientId: string
  entries: QueueEntryView[]
  /** Cursor of the next page, null on the last one. */
  next: string | null
  /**
   * The incoming QoS 2 messages awaiting PUBREL, in packet id order, at most
   * `limit`: on the first page only (empty on the pages after).
   */
  incoming: IncomingEntryView[]
}

/** What the broker keeps per session and answers about it. */
export interface SessionInspector {
  list(query: SessionListQuery): Promise<SessionPage>
  /** null when the broker holds nothing for this ClientID. */
  get(clientId: string): Promise<SessionView | null>
  /** Closes the client's connection as the broker would on a network failure (its Will follows). false if not connected. */
  disconnect(clientId: string): Promise<boolean>
  /** Disconnects (if connected), then discards the session. false if there was nothing to delete. */
  delete(clientId: string): Promise<boolean>
  /**
   * Counts and queued/in-flight totals without walking every session; null
   * when the store cannot answer so (the caller then sums the sessions).
   */
  quickTotals?(): Promise<SessionTotals | null>
  /** Subscribes to every session change; returns the unsubscribe function. */
  onChange(listener: (change: SessionChange) => void): () => void
}

/** Where parts of the broker report what happened to a session (the inspector implements it). */
export interface SessionEventSink {
  record(clientId: string, event: SessionEvent): void
}

/** The session inspector as the broker hands it out (`BrokerHandle.sessions`). */
export interface Sessions extends SessionInspector, SessionEventSink {
  /** A page of the session's queue, queued and in-flight entries; null when there is no session. */
  queue(clientId: string, query: PageQuery): Promise<QueuePage | null>
  /**
   * Sessions the start-up expiry check discarded before anyone could listen
   * (their 'expired' events reached no listener); later ones are events.
   */
  readonly expiredAtStartup: number
}
