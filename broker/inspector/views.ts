import { isSessionMarker } from '../rules/session-present.ts'
import { sharedFilterOf, shownFilter } from '../rules/share-names.ts'
import type { SessionRecord, SessionStats } from '../store/types.ts'
import type { EndedSession } from './ended.ts'
import type { LiveSession } from './online.ts'
import type { SessionEvent, SessionSummary, SessionView } from './types.ts'
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
    ended: { at: ended.at, reason: ended.reason },
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
    ended: { at: ended.at, reason: ended.reason },
    history: ended.history.toArray(),
  }
}

/** The whole view of one session. */
export function viewOf(
  parts: SessionParts,
  extra: {
    will: Parameters<typeof willView>[0] | null
    subscriptions: { topic: string; qos: number }[]
    history: SessionEvent[]
  },
): SessionView {
  const { stats } = parts
  return {
    clientId: parts.clientId,
    ...commonFields(parts),
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

/** A subscription as the client made it: a shared one as `$share/{group}/{filter}`, with its group. */
function subscriptionView(sub: {
  topic: string
  qos: number
}): SessionView['subscriptions'][number] {
  const share = sharedFilterOf(sub.topic)
  const qos = sub.qos as 0 | 1 | 2
  return share
    ? { topic: shownFilter(sub.topic), qos, shareGroup: share.group }
    : { topic: sub.topic, qos }
}
