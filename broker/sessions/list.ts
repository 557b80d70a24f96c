import { SessionLabError } from '../errors.ts'
import { compareClientIds } from '../store/client-id-order.ts'
import type { SessionRecord, SessionStats, SessionStore } from '../store/types.ts'
import type { Connection } from './connection.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'
import type { SessionRegistry } from './registry.ts'
import type { SessionListQuery, SessionPage, SessionSummary } from './types.ts'
import { liveSubscriptions, summaryOf } from './views.ts'

/** The largest page `list` answers. */
export const MAX_PAGE_SIZE = 1000

interface Row {
  clientId: string
  record?: SessionRecord
}

/**
 * One page of the session list: persistent sessions from the store merged
 * with the clean sessions online, in ClientID order (UTF-8 byte order),
 * after the cursor's ClientID. Counts are of every session with the prefix.
 *
 * @throws SessionLabError BAD_CURSOR for a cursor this broker did not make,
 *   BAD_REQUEST for a limit outside 1..{@link MAX_PAGE_SIZE}
 */
export async function listSessions(
  query: SessionListQuery,
  store: SessionStore,
  registry: SessionRegistry,
): Promise<SessionPage> {
  const { limit } = query
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new SessionLabError(
      'BAD_REQUEST',
      `limit must be an integer 1-${MAX_PAGE_SIZE}, got ${String(limit)}`,
    )
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const prefix = query.prefix ?? ''
  const online = onlineAfter(registry, prefix, after)
  const want = limit + 1

  let rows: Row[]
  if (query.state === 'online') rows = online.slice(0, want).map((c) => ({ clientId: c.client.id }))
  else if (query.state === 'offline') rows = await offlineRows(store, registry, prefix, after, want)
  else {
    const stored = await store.listSessions({ prefix, after, limit: want })
    const clean = online.filter((c) => c.clean).map((c) => ({ clientId: c.client.id }))
    rows = mergeById(stored, clean).slice(0, want)
  }
  const page = rows.slice(0, limit)
  return {
    sessions: await summaries(page, store, registry),
    next: rows.length > limit ? encodeCursor(page[page.length - 1].clientId) : null,
    counts: await countSessions(store, registry, prefix),
  }
}

/** Online connections with the prefix, after the cursor, in ClientID order. */
function onlineAfter(registry: SessionRegistry, prefix: string, after: string | undefined) {
  const matching: Connection[] = []
  for (const connection of registry.onlineConnections()) {
    const id = connection.client.id
    if (id.startsWith(prefix) && (after === undefined || compareClientIds(id, after) > 0)) {
      matching.push(connection)
    }
  }
  return matching.sort((a, b) => compareClientIds(a.client.id, b.client.id))
}

/** Persistent sessions with no connection, read from the store a page at a time. */
async function offlineRows(
  store: SessionStore,
  registry: SessionRegistry,
  prefix: string,
  after: string | undefined,
  want: number,
): Promise<Row[]> {
  const rows: Row[] = []
  let from = after
  for (;;) {
    const batch = await store.listSessions({ prefix, after: from, limit: want })
    for (const record of batch) {
      if (!registry.online(record.clientId)) rows.push({ clientId: record.clientId, record })
    }
    if (rows.length >= want || batch.length < want) return rows.slice(0, want)
    from = batch[batch.length - 1].clientId
  }
}

/** Two lists in ClientID order merged into one; a ClientID in both appears once. */
function mergeById(stored: SessionRecord[], clean: Row[]): Row[] {
  const merged: Row[] = []
  let i = 0
  let j = 0
  while (i < stored.length || j < clean.length) {
    const order =
      i === stored.length
        ? 1
        : j === clean.length
          ? -1
          : compareClientIds(stored[i].clientId, clean[j].clientId)
    if (order <= 0) {
      merged.push({ clientId: stored[i].clientId, record: stored[i] })
      if (order === 0) j++
      i++
    } else merged.push(clean[j++])
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
    rows.map(async ({ clientId, record }) => {
      const connection = registry.online(clientId) ?? null
      if (connection && !connection.clean && !record) record = await store.getSession(clientId)
      const sessionStats = stats.get(clientId) as SessionStats
      const parts = { clientId, connection, record, stats: sessionStats, now }
      const counters = registry.counters(clientId)
      const subscriptions = connection
        ? liveSubscriptions(connection).length
        : sessionStats.subscriptions
      return summaryOf({ ...parts, counters }, subscriptions)
    }),
  )
}

/** Sessions with the prefix: persistent ones from the store, clean ones online. */
async function countSessions(store: SessionStore, registry: SessionRegistry, prefix: string) {
  const stored = await store.countSessions(prefix)
  let online = 0
  let onlinePersistent = 0
  for (const connection of registry.onlineConnections()) {
    if (!connection.client.id.startsWith(prefix)) continue
    online++
    if (!connection.clean) onlinePersistent++
  }
  return {
    online,
    offline: Math.max(0, stored - onlinePersistent),
    total: stored + online - onlinePersistent,
  }
}
