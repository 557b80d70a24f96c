import { SessionLabError } from '../errors.ts'
import type { SessionListSort } from './types.ts'

/** Where a page of a sorted session list ended: the last row's sort value and ClientID. */
export interface SortPosition {
  value: number
  clientId: string
}

/**
 * The cursor of a page of the session list sorted by anything but ClientID
 * ascending: opaque to callers, `<sort>.<order>.<base64url of [value, clientId]>`.
 * The dots keep it apart from a ClientID cursor (base64url has none), and it
 * names its sort, so a cursor from one sort is refused by another rather
 * than read as a position it never was. Keyset, so it stays valid while
 * sessions come and go (a row whose value changes meanwhile moves, as in
 * any keyset listing).
 */
export function encodeSortCursor(
  sort: SessionListSort,
  order: 'asc' | 'desc',
  at: SortPosition,
): string {
  const position = Buffer.from(JSON.stringify([at.value, at.clientId]), 'utf8')
  return `${sort}.${order}.${position.toString('base64url')}`
}

/**
 * The position a sort cursor stands for.
 *
 * @throws SessionLabError BAD_CURSOR when it is not one {@link encodeSortCursor}
 *   made for this sort and order
 */
export function decodeSortCursor(
  cursor: string,
  sort: SessionListSort,
  order: 'asc' | 'desc',
): SortPosition {
  const parts = cursor.split('.')
  if (parts.length !== 3) {
    throw new SessionLabError(
      'BAD_CURSOR',
      `the cursor is not one of the list sorted by ${sort} ${order} (a cursor belongs to the sort it came with)`,
    )
  }
  const [madeFor, madeOrder, position] = parts
  if (madeFor !== sort || madeOrder !== order) {
    throw new SessionLabError(
      'BAD_CURSOR',
      `the cursor is of the list sorted by ${shown(madeFor)} ${shown(madeOrder)}, not by ${sort} ${order}`,
    )
  }
  let parsed: unknown
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(position)
      ? JSON.parse(Buffer.from(position, 'base64url').toString('utf8'))
      : undefined
  } catch {
    parsed = undefined
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    Number.isSafeInteger(parsed[0]) &&
    typeof parsed[1] === 'string'
  ) {
    const at = { value: parsed[0] as number, clientId: parsed[1] }
    // only the exact encoding round-trips
    if (encodeSortCursor(sort, order, at) === cursor) return at
  }
  throw new SessionLabError('BAD_CURSOR', 'the cursor is not one this broker issued')
}

/** Untrusted text in a reason, cut short. */
function shown(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text)
}
