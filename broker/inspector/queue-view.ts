import { SessionLabError } from '../errors.ts'
import { resendsAsDuplicate } from '../rules/resume.ts'
import type { OutgoingEntry, SessionStore } from '../store/types.ts'
import { decodeSeqCursor, encodeSeqCursor } from './cursor.ts'
import { MAX_PAGE_SIZE } from './list.ts'
import type { OnlineSessions } from './online.ts'
import type { PageQuery, QueueEntryView, QueuePage } from './types.ts'
import { preview } from './will-view.ts'

/**
 * One page of the queue the store holds for a ClientID; null when the
 * broker holds no session for it. A clean session's queue is never stored
 * (aedes keeps its in-flight messages in the connection): its page is empty.
 *
 * @throws SessionLabError BAD_CURSOR for a cursor this broker did not make,
 *   BAD_REQUEST for a limit outside 1..{@link MAX_PAGE_SIZE}
 */
export async function queuePage(
  deps: { store: SessionStore; online: OnlineSessions },
  clientId: string,
  query: PageQuery,
): Promise<QueuePage | null> {
  const limit = checkPageLimit(query.limit)
  const after = query.cursor === undefined ? undefined : decodeSeqCursor(query.cursor)
  const live = (await deps.online.find([clientId])).get(clientId)
  if (!live && (await deps.store.getSession(clientId)) === undefined) return null
  // one more than asked for says whether there is a next page
  const entries = await deps.store.listOutgoing(clientId, { after, limit: limit + 1 })
  const page = entries.slice(0, limit)
  return {
    clientId,
    entries: page.map(queueEntryView),
    next: entries.length > limit ? encodeSeqCursor(page[page.length - 1].seq) : null,
  }
}

/**
 * A page size the listings accept, as the session list does.
 *
 * @throws SessionLabError BAD_REQUEST for a limit outside 1..{@link MAX_PAGE_SIZE}
 */
export function checkPageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new SessionLabError(
      'BAD_REQUEST',
      `limit must be an integer 1-${MAX_PAGE_SIZE}, got ${String(limit)}`,
    )
  }
  return limit
}

/** What the operator sees of a queue entry. */
export function queueEntryView(entry: OutgoingEntry): QueueEntryView {
  const sent = entry.messageId !== null
  const shown =
    entry.payloadHead === null ? null : preview(entry.payloadHead, entry.payloadBytes ?? 0)
  return {
    seq: entry.seq,
    state: sent ? 'inflight' : 'queued',
    awaiting: sent ? awaiting(entry) : null,
    messageId: entry.messageId,
    topic: entry.topic,
    qos: entry.qos,
    dup: entry.cmd === 'publish' && (entry.dup || resendsAsDuplicate(entry)),
    retain: entry.retain,
    payloadBytes: entry.payloadBytes,
    queuedAt: entry.queuedAt,
    preview: shown?.preview ?? null,
    previewKind: shown?.previewKind ?? null,
  }
}

/** The acknowledgement an entry sent waits for [MQTT-4.3.2], [MQTT-4.3.3]. */
function awaiting(entry: OutgoingEntry): 'puback' | 'pubrec' | 'pubcomp' {
  if (entry.cmd === 'pubrel') return 'pubcomp'
  return entry.qos === 2 ? 'pubrec' : 'puback'
}
