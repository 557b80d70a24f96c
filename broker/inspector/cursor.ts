import { SessionLabError } from '../errors.ts'

/**
 * Page cursors are opaque to callers: the last ClientID of a page, as
 * base64url of its UTF-8 bytes. Keyset pagination needs nothing else, so a
 * cursor stays valid while sessions come and go.
 */
export function encodeCursor(lastClientId: string): string {
  return Buffer.from(lastClientId, 'utf8').toString('base64url')
}

/**
 * The ClientID a cursor stands for.
 *
 * @throws SessionLabError BAD_CURSOR when it is not one {@link encodeCursor} makes
 */
export function decodeCursor(cursor: string): string {
  if (cursor.length > 0 && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    const bytes = Buffer.from(cursor, 'base64url')
    const clientId = bytes.toString('utf8')
    // Only the exact encoding of a UTF-8 string round-trips.
    if (bytes.length > 0 && encodeCursor(clientId) === cursor) return clientId
  }
  throw new SessionLabError('BAD_CURSOR', 'the cursor is not one this broker issued')
}

/** The cursor after a queue entry: its sequence number, opaque like the others. */
export function encodeSeqCursor(seq: number): string {
  return encodeCursor(String(seq))
}

/**
 * The sequence number a queue cursor stands for.
 *
 * @throws SessionLabError BAD_CURSOR when it is not one {@link encodeSeqCursor} makes
 */
export function decodeSeqCursor(cursor: string): number {
  const text = decodeCursor(cursor)
  const seq = Number(text)
  if (/^\d{1,15}$/.test(text) && String(seq) === text) return seq
  throw new SessionLabError('BAD_CURSOR', 'the cursor is not one this broker issued')
}
