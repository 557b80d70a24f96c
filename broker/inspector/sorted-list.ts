import { compareInOrder, UNKNOWN_TIME } from '../store/sorted-sessions.ts'
import type { SessionRecord, SessionSortKey, SessionStore } from '../store/types.ts'
import type { LiveSession, OnlineSessions } from './online.ts'
import type { SessionRegistry } from './registry.ts'
import { decodeSortCursor, encodeSortCursor, type SortPosition } from './sort-cursor.ts'
import type { SessionListSort, SessionPage, SessionSummary } from './types.ts'
import { endedSummary } from './views.ts'

/** Where every online session sorts by `state`, and every offline one: online first ascending. */
const ONLINE = 0
const OFFLINE = 1

/** A row of the session list before it is summed up: the store's record, the live session, or both. */
export interface ListRow {
  clientId: string
  record?: SessionRecord
  live?: LiveSession
}

interface Sorted extends ListRow {
  key: SortPosition
}

/**
 * One page of the session list sorted by a column other than ClientID
 * ascending, over the whole list: the online sessions (every one with the
 * prefix, from memory or the cluster directory, sorted here) merged with the
 * offline ones the store sorts (an index for the times, see
 * broker/store/sqlite/sorted-sessions.ts). Each row's key is the value the
 * page shows, so the order is the one the operator sees; the cursor is the
 * last row's key ({@link encodeSortCursor}).
 */
export async function sortedSessions(
  query: { sort: SessionListSort; order: 'asc' | 'desc'; limit: number } & {
    state?: 'online' | 'offline' | 'ended'
    prefix?: string
    cursor?: string
  },
  store: SessionStore,
  online: OnlineSessions,
  registry: SessionRegistry,
  summaries: (rows: ListRow[]) => Promise<SessionSummary[]>,
  counts: () => Promise<SessionPage['counts']>,
): Promise<SessionPage> {
  const { sort, order, limit } = query
  const after = query.cursor === undefined ? undefined : decodeSortCursor(query.cursor, sort, order)
  const prefix = query.prefix ?? ''
  const want = limit + 1
  const cursorOf = (rows: { key: SortPosition }[]) =>
    rows.length > limit ? encodeSortCursor(sort, order, rows[limit - 1].key) : null

  if (query.state === 'ended') {
    // ended sessions are few and held in memory (--ended-sessions): all sorted here
    const ended = registry
      .endedSessions(prefix, undefined, Number.MAX_SAFE_INTEGER)
      .map(endedSummary)
      .map((summary) => ({
        summary,
        key: { value: summaryValue(sort, summary), clientId: summary.clientId },
      }))
    const rows = inOrder(ended, order, after).slice(0, want)
    return {
      sessions: rows.slice(0, limit).map((row) => row.summary),
      next: cursorOf(rows),
      counts: await counts(),
    }
  }

  const [live, stored] = await Promise.all([
    query.state === 'offline' ? [] : onlineRows(store, online, prefix, sort, order, after, want),
    query.state === 'online' ? [] : offlineRows(store, online, prefix, sort, order, after, want),
  ])
  const rows = inOrder([...live, ...stored], order, undefined).slice(0, want)
  return {
    sessions: await summaries(rows.slice(0, limit)),
    next: cursorOf(rows),
    counts: await counts(),
  }
}

/** Every online session with the prefix, keyed as its row shows it, after `after`. */
async function onlineRows(
  store: SessionStore,
  online: OnlineSessions,
  prefix: string,
  sort: SessionListSort,
  order: 'asc' | 'desc',
  after: SortPosition | undefined,
  want: number,
): Promise<Sorted[]> {
  const sessions = await online.list(prefix, undefined, Number.MAX_SAFE_INTEGER)
  // a persistent session's queue is the store's; a clean one's counts as the store answers (nothing)
  const stats =
    sort === 'queued' ? await store.sessionStats(sessions.map((s) => s.clientId)) : undefined
  const rows = sessions.map((live) => ({
    clientId: live.clientId,
    live,
    key: {
      value: liveValue(sort, live, stats?.get(live.clientId)?.queued ?? 0),
      clientId: live.clientId,
    },
  }))
  return inOrder(rows, order, after).slice(0, want)
}

/**
 * Persistent sessions with no connection, in the order the store sorts
 * them, a page at a time until `want` are found (a stored session that is
 * online is listed among the online ones, with its live values).
 */
async function offlineRows(
  store: SessionStore,
  online: OnlineSessions,
  prefix: string,
  sort: SessionListSort,
  order: 'asc' | 'desc',
  after: SortPosition | undefined,
  want: number,
): Promise<Sorted[]> {
  // by state every offline session has the same value: the store orders them by ClientID
  const by: SessionSortKey = sort === 'state' ? 'clientId' : sort
  let from: SortPosition | undefined
  if (after !== undefined && sort === 'state') {
    const past = compareInOrder(
      order,
      { value: OFFLINE, clientId: '' },
      { value: after.value, clientId: '' },
    )
    // the cursor is among the online rows (offline ones all come after it) or past every offline one
    if (past < 0) return []
    from = past > 0 ? undefined : { value: 0, clientId: after.clientId }
  } else from = after
  const rows: Sorted[] = []
  for (;;) {
    const batch = await store.listSessionsSorted({ by, order, prefix, after: from, limit: want })
    const connected = await online.find(batch.map(({ record }) => record.clientId))
    for (const { record, value } of batch) {
      if (connected.has(record.clientId)) continue
      const key = { value: sort === 'state' ? OFFLINE : value, clientId: record.clientId }
      rows.push({ clientId: record.clientId, record, key })
    }
    if (rows.length >= want || batch.length < want) return rows.slice(0, want)
    const last = batch[batch.length - 1]
    from = { value: last.value, clientId: last.record.clientId }
  }
}

/** Rows after `after` in the order asked. */
function inOrder<T extends { key: SortPosition }>(
  rows: T[],
  order: 'asc' | 'desc',
  after: SortPosition | undefined,
): T[] {
  const kept =
    after === undefined ? rows : rows.filter((row) => compareInOrder(order, row.key, after) > 0)
  return kept.sort((a, b) => compareInOrder(order, a.key, b.key))
}

function liveValue(sort: SessionListSort, live: LiveSession, queued: number): number {
  switch (sort) {
    case 'clientId':
      return 0
    case 'state':
      return ONLINE
    case 'queued':
      return queued
    case 'connectedAt':
      return live.connectedAt ?? UNKNOWN_TIME
    case 'lastActivity':
      return live.lastActivity ?? UNKNOWN_TIME
  }
}

function summaryValue(sort: SessionListSort, summary: SessionSummary): number {
  switch (sort) {
    case 'clientId':
      return 0
    case 'state':
      return OFFLINE + 1
    case 'queued':
      return summary.queued
    case 'connectedAt':
      return summary.connectedAt ?? UNKNOWN_TIME
    case 'lastActivity':
      return summary.lastActivity ?? UNKNOWN_TIME
  }
}
