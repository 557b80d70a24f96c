import { compareClientIds } from './client-id-order.ts'
import type {
  SessionRecord,
  SessionSortKey,
  SortedSessionRange,
  SortedSessionRecord,
} from './types.ts'

/**
 * The session list's sort order, shared by every store and the inspector:
 * (value, ClientID) ascending, or both descending. SQLite orders the same
 * in SQL (broker/store/sqlite/sorted-sessions.ts).
 */

/** The value a time sorts by: -1 for a time not known, so it sorts before every real one. */
export const UNKNOWN_TIME = -1

/** A session record's sort value for `by`; `queued` is counted by the caller. */
export function sortValueOf(by: SessionSortKey, record: SessionRecord, queued: number): number {
  switch (by) {
    case 'clientId':
      return 0
    case 'queued':
      return queued
    case 'connectedAt':
      return record.connectedAt ?? UNKNOWN_TIME
    case 'lastActivity':
      return record.lastActivity ?? UNKNOWN_TIME
  }
}

/** Ascending (value, ClientID) order: negative when `a` comes first. */
export function compareSortKeys(
  a: { value: number; clientId: string },
  b: { value: number; clientId: string },
): number {
  return a.value !== b.value ? a.value - b.value : compareClientIds(a.clientId, b.clientId)
}

/** `compareSortKeys` in the direction asked. */
export function compareInOrder(
  order: 'asc' | 'desc',
  a: { value: number; clientId: string },
  b: { value: number; clientId: string },
): number {
  return order === 'asc' ? compareSortKeys(a, b) : compareSortKeys(b, a)
}

/**
 * One page of `range` from every session of a store that keeps no sorted
 * index (memory, redis): each page costs a pass over the sessions with the
 * prefix and a sort of them. `queuedOf` counts the queued messages of a
 * batch of ClientIDs; it is asked only when sorting by `queued`.
 */
export async function sortSessionRecords(
  records: Iterable<SessionRecord> | AsyncIterable<SessionRecord[]>,
  queuedOf: (clientIds: string[]) => Promise<Map<string, number>>,
  range: SortedSessionRange,
): Promise<SortedSessionRecord[]> {
  const { by, order, after, prefix = '' } = range
  const kept: SortedSessionRecord[] = []
  const take = async (batch: SessionRecord[]) => {
    const matching = batch.filter((record) => record.clientId.startsWith(prefix))
    const queued = by === 'queued' ? await queuedOf(matching.map((r) => r.clientId)) : null
    for (const record of matching) {
      const value = sortValueOf(by, record, queued?.get(record.clientId) ?? 0)
      const key = { value, clientId: record.clientId }
      if (after === undefined || compareInOrder(order, key, after) > 0) {
        kept.push({ record, value })
      }
    }
  }
  if (Symbol.asyncIterator in records) {
    for await (const batch of records) await take(batch)
  } else await take([...records])
  kept.sort((a, b) =>
    compareInOrder(
      order,
      { value: a.value, clientId: a.record.clientId },
      { value: b.value, clientId: b.record.clientId },
    ),
  )
  return kept.slice(0, range.limit)
}

/** Every session of a store, a batch at a time, through its ClientID-ordered listing. */
export async function* sessionBatches(
  list: (after: string | undefined) => Promise<SessionRecord[]>,
  batchSize: number,
): AsyncIterable<SessionRecord[]> {
  let after: string | undefined
  for (;;) {
    const batch = await list(after)
    if (batch.length > 0) yield batch
    if (batch.length < batchSize) return
    after = batch[batch.length - 1].clientId
  }
}

/** The queued counts of a batch of sessions, from the store's own `sessionStats`. */
export function queuedCounts(store: {
  sessionStats(clientIds: readonly string[]): Promise<Map<string, { queued: number }>>
}): (clientIds: string[]) => Promise<Map<string, number>> {
  return async (clientIds) => {
    const stats = await store.sessionStats(clientIds)
    return new Map([...stats].map(([id, s]) => [id, s.queued]))
  }
}
