import { createHmac, timingSafeEqual } from 'node:crypto'

export const CSRF_HEADER = 'x-csrf-token'

/**
 * The CSRF token of a viewer: an HMAC of its id, so the server stores
 * nothing and a token is worthless without the cookie it belongs to.
 */
export function csrfToken(viewerId: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`csrf:${viewerId}`).digest('base64url')
}

export function csrfValid(given: string | undefined, viewerId: string, secret: Buffer): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given, 'utf8')
  const b = Buffer.from(csrfToken(viewerId, secret), 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
