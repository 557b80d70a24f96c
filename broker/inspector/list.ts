import { SessionLabError } from '../errors.ts'
import { compareClientIds } from '../store/client-id-order.ts'
import type { SessionRecord, SessionStats, SessionStore } from '../store/types.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'
import { type LiveSession, liveSubscriptions, type OnlineSessions } from './online.ts'
import type { SessionRegistry } from './registry.ts'
import { type ListRow, sortedSessions } from './sorted-list.ts'
import type { SessionListQuery, SessionPage, SessionSummary } from './types.ts'
import { endedSummary, summaryOf } from './views.ts'

/** The largest page `list` answers. */
export const MAX_PAGE_SIZE = 1000

type Row = ListRow

/**
 * One page of the session list: persistent sessions from the store merged
 * with the clean sessions online, in ClientID order (UTF-8 byte order),
 * after the cursor's ClientID. Counts are of every session with the prefix
 * the broker holds. Ended clean sessions are listed only by `state: 'ended'`.
 *
 * @throws SessionLabError BAD_CURSOR for a cursor this broker did not make,
 *   BAD_REQUEST for a limit outside 1..{@link MAX_PAGE_SIZE}
 */
export async function listSessions(
  query: SessionListQuery,
  store: SessionStore,
  online: OnlineSessions,
  registry: SessionRegistry,
): Promise<SessionPage> {
  const { limit } = query
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new SessionLabError(
      'BAD_REQUEST',
      `limit must be an integer 1-${MAX_PAGE_SIZE}, got ${String(limit)}`,
    )
  }
  const prefix = query.prefix ?? ''
  const sort = query.sort ?? 'clientId'
  const order = query.order ?? 'asc'
  if (sort !== 'clientId' || order !== 'asc') {
    return sortedSessions(
      { ...query, sort, order },
      store,
      online,
      registry,
      (rows) => summaries(rows, store, registry),
      () => countSessions(store, online, prefix),
    )
  }
  // ClientID ascending: the store's and the online directory's own order, merged as they come
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const want = limit + 1

  if (query.state === 'ended') {
    const ended = registry.endedSessions(prefix, after, want)
    const page = ended.slice(0, limit)
    return {
      sessions: page.map(endedSummary),
      next: ended.length > limit ? encodeCursor(page[page.length - 1].clientId) : null,
      counts: await countSessions(store, online, prefix),
    }
  }

  let rows: Row[]
  if (query.state === 'online') {
    rows = (await online.list(prefix, after, want)).map((live) => ({
      clientId: live.clientId,
      live,
    }))
  } else if (query.state === 'offline') {
    rows = await offlineRows(store, online, prefix, after, want)
  } else {
    rows = await allRows(store, online, prefix, after, want)
  }
  const page = rows.slice(0, limit)
  return {
    sessions: await summaries(page, store, registry),
    next: rows.length > limit ? encodeCursor(page[page.length - 1].clientId) : null,
    counts: await countSessions(store, online, prefix),
  }
}

/** Persistent sessions with no connection, read from the store a page at a time. */
async function offlineRows(
  store: SessionStore,
  online: OnlineSessions,
  prefix: string,
  after: string | undefined,
  want: number,
): Promise<Row[]> {
  const rows: Row[] = []
  let from = after
  for (;;) {
    const batch = await store.listSessions({ prefix, after: from, limit: want })
    const connected = await online.find(batch.map((record) => record.clientId))
    for (const record of batch) {
      if (!connected.has(record.clientId)) rows.push({ clientId: record.clientId, record })
    }
    if (rows.length >= want || batch.length < want) return rows.slice(0, want)
    from = batch[batch.length - 1].clientId
  }
}

/**
 * Persistent sessions (the store) merged with online ones (clean sessions
 * exist only there), each ClientID once, online state attached.
 */
async function allRows(
  store: SessionStore,
  online: OnlineSessions,
  prefix: string,
  after: string | undefined,
  want: number,
): Promise<Row[]> {
  const [stored, live] = await Promise.all([
    store.listSessions({ prefix, after, limit: want }),
    online.list(prefix, after, want),
  ])
  const merged = mergeById(stored, live).slice(0, want)
  // a stored session in the page may be online beyond the first `want` online ones
  const unknown = merged.filter((row) => !row.live).map((row) => row.clientId)
  const connected = await online.find(unknown)
  for (const row of merged) row.live ??= connected.get(row.clientId)
  return merged
}

/** Two lists in ClientID order merged into one; a ClientID in both appears once. */
function mergeById(stored: SessionRecord[], live: LiveSession[]): Row[] {
  const merged: Row[] = []
  let i = 0
  let j = 0
  while (i < stored.length || j < live.length) {
    const order =
      i === stored.length
        ? 1
        : j === live.length
          ? -1
          : compareClientIds(stored[i].clientId, live[j].clientId)
    if (order < 0) {
      merged.push({ clientId: stored[i].clientId, record: stored[i] })
      i++
    } else if (order === 0) {
      merged.push({ clientId: stored[i].clientId, record: stored[i], live: live[j] })
      i++
      j++
    } else {
      merged.push({ clientId: live[j].clientId, live: live[j] })
      j++
    }
  }
  return merged
}

async function summaries(
  rows: Row[],
  store: SessionStore,
  registry: SessionRegistry,
): Promise<SessionSummary[]> {
  // the store answers for every ClientID asked about, zeros when it holds nothing
  const stats = await store.sessionStats(rows.map((row) => row.clientId))
  const now = registry.now()
  return Promise.all(
    rows.map(async ({ clientId, record, live }) => {
      if (live && !live.clean && !record) record = await store.getSession(clientId)
      const sessionStats = stats.get(clientId) as SessionStats
      const parts = { clientId, live: live ?? null, record, stats: sessionStats, now }
      const counters = registry.counters(clientId)
      const subscriptions = live?.clean
        ? live.subscriptions.length
        : live?.connection
          ? liveSubscriptions(live.connection).length
          : sessionStats.subscriptions
      return summaryOf({ ...parts, counters }, subscriptions)
    }),
  )
}

/** Sessions with the prefix: persistent ones from the store, clean ones online. */
async function countSessions(store: SessionStore, online: OnlineSessions, prefix: string) {
  const [stored, live] = await Promise.all([store.countSessions(prefix), online.count(prefix)])
  return {
    online: live.online,
    offline: Math.max(0, stored - live.persistent),
    total: stored + live.online - live.persistent,
  }
}
