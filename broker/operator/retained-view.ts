import { decodeCursor, encodeCursor } from '../inspector/cursor.ts'
import { checkPageLimit } from '../inspector/queue-view.ts'
import type { PageQuery, WillView } from '../inspector/types.ts'
import { preview } from '../inspector/will-view.ts'
import type { OperatorListStore } from '../store/types.ts'

/** A retained message as the operator sees it: never its payload raw. */
export interface RetainedView {
  topic: string
  qos: 0 | 1 | 2
  payloadBytes: number
  /** Of the payload's first 64 bytes, as a Will's payload is shown. */
  preview: string
  previewKind: WillView['previewKind']
}

/** One page of the retained messages in topic order (UTF-8 byte order). */
export interface RetainedPage {
  retained: RetainedView[]
  /** Cursor of the next page, null on the last one. */
  next: string | null
}

export interface RetainedQuery extends PageQuery {
  /** Only topics that start with it. */
  prefix?: string
}

/**
 * One page of the retained messages, after the topic the cursor stands for.
 *
 * @throws SessionLabError BAD_CURSOR for a cursor this broker did not make,
 *   BAD_REQUEST for a limit the listings do not accept
 */
export async function retainedPage(
  store: OperatorListStore,
  query: RetainedQuery,
): Promise<RetainedPage> {
  const limit = checkPageLimit(query.limit)
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  // one more than asked for says whether there is a next page
  const entries = await store.listRetained({ prefix: query.prefix, after, limit: limit + 1 })
  const page = entries.slice(0, limit)
  return {
    retained: page.map((entry) => ({
      topic: entry.topic,
      qos: entry.qos,
      payloadBytes: entry.payloadBytes,
      ...preview(entry.payloadHead, entry.payloadBytes),
    })),
    next: entries.length > limit ? encodeCursor(page[page.length - 1].topic) : null,
  }
}
