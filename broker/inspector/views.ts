import { isSessionMarker } from '../rules/session-present.ts'
import { sharedFilterOf, shownFilter } from '../rules/share-names.ts'
import { SESSION_NEVER_EXPIRES, type SessionRecord, type SessionStats } from '../store/types.ts'
import type { EndedSession } from './ended.ts'
import type { LiveSession } from './online.ts'
import type {
  SessionEvent,
  SessionExpiryView,
  SessionSummary,
  SessionView,
  SubscriptionView,
} from './types.ts'
import { willView } from './will-view.ts'

/** Everything a view of one session is built from; `live` null when offline. */
export interface SessionParts {
  clientId: string
  live: LiveSession | null
  /** The store's record; absent for a clean session. */
  record: SessionRecord | undefined
  stats: SessionStats
  /** Counters of a clean session, kept in memory. */
  counters: { dropped: number; takeovers: number }
  now: number
  /** `--session-expiry`: seconds an offline 3.1.1 persistent session is kept, 0 = for ever. */
  legacyExpiry?: number
}

/** A row of the session list. */
export function summaryOf(parts: SessionParts, subscriptions: number): SessionSummary {
  const common = commonFields(parts)
  return {
    clientId: parts.clientId,
    state: common.state,
    connected: common.connected,
    node: common.node,
    clean: common.clean,
    protocolVersion: common.protocolVersion,
    username: common.username,
    remoteAddress: common.remoteAddress,
    connectedAt: common.connectedAt,
    disconnectedAt: common.disconnectedAt,
    lastActivity: common.lastActivity,
    inflight: common.inflight,
    dropped: common.dropped,
    ended: null,
    queued: parts.stats.queued,
    subscriptions,
  }
}

/** A row of the session list for an ended clean session: it holds nothing now. */
export function endedSummary(ended: EndedSession): SessionSummary {
  return {
    clientId: ended.clientId,
    state: 'ended',
    connected: false,
    node: null,
    clean: true,
    protocolVersion: ended.protocolVersion,
    username: ended.username,
    remoteAddress: ended.remoteAddress,
    connectedAt: ended.connectedAt,
    disconnectedAt: ended.at,
    lastActivity: ended.lastActivity,
    inflight: 0,
    dropped: ended.dropped,
    ended: endedOf(ended),
    queued: 0,
    subscriptions: 0,
  }
}

/** The whole view of an ended clean session: how it was, why it ended, its history. */
export function endedView(ended: EndedSession): SessionView {
  return {
    clientId: ended.clientId,
    state: 'ended',
    connected: false,
    node: null,
    clean: true,
    cleanStart: null,
    expiry: ENDS_WITH_CONNECTION,
    protocolVersion: ended.protocolVersion,
    keepalive: ended.keepalive,
    username: ended.username,
    remoteAddress: ended.remoteAddress,
    connectedAt: ended.connectedAt,
    disconnectedAt: ended.at,
    lastActivity: ended.lastActivity,
    will: null,
    subscriptions: [],
    queue: { count: 0, bytes: 0, oldestAgeMs: null },
    inflight: 0,
    incomingAwaitingPubrel: 0,
    dropped: ended.dropped,
    takeovers: ended.takeovers,
    ended: endedOf(ended),
    history: ended.history.toArray(),
  }
}

/** The whole view of one session. */
export function viewOf(
  parts: SessionParts,
  extra: {
    will: Parameters<typeof willView>[0] | null
    subscriptions: SubscriptionOptions[]
    history: SessionEvent[]
  },
): SessionView {
  const { stats } = parts
  return {
    clientId: parts.clientId,
    ...commonFields(parts),
    cleanStart: parts.live?.cleanStart ?? null,
    expiry: expiryView(parts),
    will: extra.will ? willView(extra.will) : null,
    subscriptions: extra.subscriptions
      .filter((sub) => !isSessionMarker(sub.topic))
      .map((sub) => subscriptionView(sub)),
    queue: {
      count: stats.queued,
      bytes: stats.queuedBytes,
      oldestAgeMs: stats.oldestQueuedAt === null ? null : parts.now - stats.oldestQueuedAt,
    },
    incomingAwaitingPubrel: stats.incoming,
    ended: null,
    history: extra.history,
  }
}

function commonFields(parts: SessionParts) {
  const { live, record, stats } = parts
  // A persistent session's counters are the store's; a clean one's the registry's.
  const counters = live?.clean ? parts.counters : (record ?? parts.counters)
  if (live) {
    return {
      state: 'online' as const,
      connected: true,
      node: live.node,
      clean: live.clean,
      protocolVersion: live.protocolVersion,
      keepalive: live.keepalive,
      username: live.username,
      remoteAddress: live.remoteAddress,
      connectedAt: live.connectedAt,
      disconnectedAt: null,
      lastActivity: live.lastActivity,
      // aedes keeps no outgoing state of a clean session in the store
      inflight: live.clean ? live.inflight : stats.inflight,
      dropped: counters.dropped,
      takeovers: counters.takeovers,
    }
  }
  return {
    state: 'offline' as const,
    connected: false,
    node: null,
    clean: false,
    protocolVersion: record?.protocolVersion ?? null,
    keepalive: record?.keepalive ?? null,
    username: record?.username ?? null,
    remoteAddress: record?.remoteAddress ?? null,
    connectedAt: record?.connectedAt ?? null,
    disconnectedAt: record?.disconnectedAt ?? null,
    lastActivity: record?.lastActivity ?? null,
    inflight: stats.inflight,
    dropped: counters.dropped,
    takeovers: counters.takeovers,
  }
}

/** A subscription as aedes granted it or the store keeps it, with its MQTT 5 options. */
export interface SubscriptionOptions {
  topic: string
  qos: number
  rh?: number
  rap?: boolean
  nl?: boolean
  subscriptionIdentifier?: number
}

/**
 * A subscription as the client made it: a shared one as
 * `$share/{group}/{filter}`, with its group; MQTT 5 options only where set
 * (a 3.1.1 subscription has none).
 */
function subscriptionView(sub: SubscriptionOptions): SubscriptionView {
  const share = sharedFilterOf(sub.topic)
  const view: SubscriptionView = share
    ? { topic: shownFilter(sub.topic), qos: sub.qos as 0 | 1 | 2, shareGroup: share.group }
    : { topic: sub.topic, qos: sub.qos as 0 | 1 | 2 }
  if (sub.nl !== undefined) view.noLocal = sub.nl
  if (sub.rap !== undefined) view.retainAsPublished = sub.rap
  if (sub.rh !== undefined) view.retainHandling = sub.rh as 0 | 1 | 2
  if (sub.subscriptionIdentifier !== undefined) view.identifier = sub.subscriptionIdentifier
  return view
}

const ENDS_WITH_CONNECTION: SessionExpiryView = {
  interval: null,
  ends: 'connection',
  seconds: null,
  at: null,
}

/**
 * When the session ends: MQTT 5 by its Session Expiry Interval (the live
 * connection's, which a DISCONNECT may change, else the store's record);
 * 3.1/3.1.1 by CleanSession and `--session-expiry`. An offline session's
 * end is its record's disconnect time plus that; a session a crashed run
 * left recorded as connected has no such time yet (`at` null).
 */
function expiryView(parts: SessionParts): SessionExpiryView {
  const { live, record } = parts
  const interval =
    live?.sessionExpiry ?? record?.sessionExpiry ?? (live?.protocolVersion === 5 ? 0 : null)
  if (live?.clean || interval === 0) return { ...ENDS_WITH_CONNECTION, interval }
  const seconds = interval ?? (parts.legacyExpiry || null)
  if (seconds === null || seconds === SESSION_NEVER_EXPIRES) {
    return { interval, ends: 'never', seconds: null, at: null }
  }
  if (live) return { interval, ends: 'after-disconnect', seconds, at: null }
  const offlineAt = record?.disconnectedAt ?? null
  return {
    interval,
    ends: 'at',
    seconds,
    at: offlineAt === null ? null : offlineAt + seconds * 1000,
  }
}

function endedOf(ended: EndedSession): NonNullable<SessionView['ended']> {
  return ended.serverDisconnect
    ? { at: ended.at, reason: ended.reason, serverDisconnect: ended.serverDisconnect }
    : { at: ended.at, reason: ended.reason }
}
