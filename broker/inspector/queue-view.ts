import { SessionLabError } from '../errors.ts'
import { resendsAsDuplicate } from '../rules/resume.ts'
import type { IncomingEntry, OutgoingEntry, SessionStore } from '../store/types.ts'
import type { Connection, SentPublish } from './connection.ts'
import { decodeSeqCursor, encodeSeqCursor } from './cursor.ts'
import { MAX_PAGE_SIZE } from './list.ts'
import type { OnlineSessions } from './online.ts'
import type { IncomingEntryView, PageQuery, QueueEntryView, QueuePage } from './types.ts'
import { preview } from './will-view.ts'

/**
 * One page of what the broker holds for a ClientID's deliveries; null when
 * it holds no session for it. The outgoing entries, queued and in flight,
 * are the store's for a persistent session; a clean session's are never
 * stored (aedes keeps no outgoing state for it), so while it is connected
 * to this process they are the in-flight messages its connection tracks
 * (on another cluster node: none shown). The first page also lists the
 * client's incoming QoS 2 messages awaiting PUBREL, which the store keeps
 * for clean and persistent sessions alike.
 *
 * @throws SessionLabError BAD_CURSOR for a cursor this broker did not make,
 *   BAD_REQUEST for a limit outside 1..{@link MAX_PAGE_SIZE}
 */
export async function queuePage(
  deps: { store: SessionStore; online: OnlineSessions; now: number },
  clientId: string,
  query: PageQuery,
): Promise<QueuePage | null> {
  const limit = checkPageLimit(query.limit)
  const after = query.cursor === undefined ? undefined : decodeSeqCursor(query.cursor)
  const live = (await deps.online.find([clientId])).get(clientId)
  if (!live && (await deps.store.getSession(clientId)) === undefined) return null
  // one more than asked for says whether there is a next page
  const entries: QueueEntryView[] = live?.clean
    ? sentOf(live.connection, after, limit + 1, deps.now)
    : (await deps.store.listOutgoing(clientId, { after, limit: limit + 1 })).map((entry) =>
        queueEntryView(entry, deps.now),
      )
  const page = entries.slice(0, limit)
  const incoming = after === undefined ? await deps.store.listIncoming(clientId, limit) : []
  return {
    clientId,
    entries: page,
    next: entries.length > limit ? encodeSeqCursor(page[page.length - 1].seq) : null,
    incoming: incoming.map(incomingEntryView),
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
export function queueEntryView(entry: OutgoingEntry, now: number): QueueEntryView {
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
    ...expiryOf(entry.messageExpiry, now),
    preview: shown?.preview ?? null,
    previewKind: shown?.previewKind ?? null,
  }
}

/** The acknowledgement an entry sent waits for [MQTT-4.3.2], [MQTT-4.3.3]. */
function awaiting(entry: OutgoingEntry): 'puback' | 'pubrec' | 'pubcomp' {
  if (entry.cmd === 'pubrel') return 'pubcomp'
  return entry.qos === 2 ? 'pubrec' : 'puback'
}

/** A clean session's in-flight messages after `after`, in the order sent; none off this process. */
function sentOf(
  connection: Connection | null,
  after: number | undefined,
  limit: number,
  now: number,
): QueueEntryView[] {
  if (connection === null) return []
  const page: QueueEntryView[] = []
  // a Map iterates in insertion order, which is the order of `seq`
  for (const [messageId, sent] of connection.inflight) {
    if (sent.seq <= (after ?? 0)) continue
    page.push(sentEntryView(messageId, sent, now))
    if (page.length === limit) break
  }
  return page
}

/** What the operator sees of a PUBLISH in flight on a clean session's connection. */
function sentEntryView(messageId: number, sent: SentPublish, now: number): QueueEntryView {
  const shown = preview(sent.payloadHead, sent.payloadBytes)
  return {
    seq: sent.seq,
    state: 'inflight',
    awaiting: sent.qos === 1 ? 'puback' : sent.released ? 'pubcomp' : 'pubrec',
    messageId,
    topic: sent.topic,
    qos: sent.qos,
    // a clean session's message is never sent again: its connection's end ends it
    dup: sent.dup,
    retain: sent.retain,
    payloadBytes: sent.payloadBytes,
    queuedAt: sent.sentAt,
    ...expiryOf(sent.messageExpiry, now),
    preview: shown.preview,
    previewKind: shown.previewKind,
  }
}

/** What the operator sees of an incoming QoS 2 message awaiting PUBREL. */
function incomingEntryView(entry: IncomingEntry): IncomingEntryView {
  return {
    messageId: entry.messageId,
    topic: entry.topic,
    qos: entry.qos,
    dup: entry.dup,
    retain: entry.retain,
    payloadBytes: entry.payloadBytes,
    ...preview(entry.payloadHead, entry.payloadBytes),
  }
}

/**
 * MQTT 5 Message Expiry of an entry: when, and how long it has left (never
 * below 0: an expired one is dropped as it would be sent [MQTT-3.3.2-5]).
 */
function expiryOf(
  messageExpiry: number | undefined,
  now: number,
): Pick<QueueEntryView, 'expiresAt' | 'expiresInMs'> {
  if (messageExpiry === undefined) return { expiresAt: null, expiresInMs: null }
  return { expiresAt: messageExpiry, expiresInMs: Math.max(0, messageExpiry - now) }
}
