import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ViewMode } from '../shared/messages.ts'
import type { ViewState } from '../shared/ui.ts'

export const COOKIE_NAME = 'sl_view'

/** The signed content of a viewer cookie: the browser's "ClientID" and, for a clean view, its state. */
export interface Viewer {
  v: 1
  id: string
  mode: ViewMode
  operator: boolean
  issuedAt: number
  expiresAt: number
  /** Clean views only: the state travels in the cookie, the server keeps nothing. */
  state?: ViewState
}

/**
 * A persistent view's cookie lasts a week after the last page load unless
 * `--view-max-age` says otherwise; a clean view's ends with the browser
 * session (12 h at most).
 */
export const PERSISTENT_TTL_MS = 7 * 24 * 3600_000
export const CLEAN_TTL_MS = 12 * 3600_000

export function emptyState(): ViewState {
  return { follows: [], filter: { state: 'all', prefix: '' } }
}

/** A fresh, unguessable viewer id. */
export function newViewerId(): string {
  return randomBytes(16).toString('base64url')
}

export function newViewer(mode: ViewMode, now: number, maxAgeMs = PERSISTENT_TTL_MS): Viewer {
  const viewer: Viewer = {
    v: 1,
    id: newViewerId(),
    mode,
    operator: false,
    issuedAt: now,
    expiresAt: now + (mode === 'persistent' ? maxAgeMs : CLEAN_TTL_MS),
  }
  if (mode === 'clean') viewer.state = emptyState()
  return viewer
}

/** `base64url(json).base64url(hmac-sha256)`. */
export function signViewer(viewer: Viewer, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(viewer), 'utf8').toString('base64url')
  return `${body}.${mac(body, secret)}`
}

/** The viewer a cookie value names; null when forged, malformed or expired. */
export function verifyViewer(value: string, secret: Buffer, now: number): Viewer | null {
  const dot = value.indexOf('.')
  if (dot < 0) return null
  const body = value.slice(0, dot)
  // compared as text: decoding base64url would ignore a changed last character's spare bits
  const given = Buffer.from(value.slice(dot + 1), 'utf8')
  const expected = Buffer.from(mac(body, secret), 'utf8')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  const viewer = parseViewer(parsed)
  if (viewer === null || viewer.expiresAt <= now) return null
  return viewer
}

/** The `Set-Cookie` header value: HttpOnly, SameSite=Strict; persistent views get a Max-Age. */
export function cookieHeader(viewer: Viewer, secret: Buffer, secure: boolean, now: number): string {
  const parts = [
    `${COOKIE_NAME}=${signViewer(viewer, secret)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
  ]
  // a clean view's cookie is a session cookie: the browser forgets it on exit
  if (viewer.mode === 'persistent') {
    parts.push(`Max-Age=${Math.max(0, Math.ceil((viewer.expiresAt - now) / 1000))}`)
  }
  if (secure) parts.push('Secure')
  return parts.join('; ')
}

/** The raw value of our cookie in a `Cookie` header. */
export function readCookie(header: string | undefined): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim()
  }
  return null
}

function mac(body: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`view:${body}`).digest('base64url')
}

function parseViewer(value: unknown): Viewer | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  if (v.v !== 1 || typeof v.id !== 'string' || typeof v.operator !== 'boolean') return null
  if (v.mode !== 'persistent' && v.mode !== 'clean') return null
  if (typeof v.issuedAt !== 'number' || typeof v.expiresAt !== 'number') return null
  const viewer: Viewer = {
    v: 1,
    id: v.id,
    mode: v.mode,
    operator: v.operator,
    issuedAt: v.issuedAt,
    expiresAt: v.expiresAt,
  }
  if (v.mode === 'clean') viewer.state = parseViewState(v.state) ?? emptyState()
  return viewer
}

/** Limits that keep a clean view's cookie well under the 4 KB browsers allow. */
export const MAX_FOLLOWS = 10
const MAX_ID_CHARS = 100

/** A view state from untrusted input; null when it is not one or is too large. */
export function parseViewState(value: unknown): ViewState | null {
  if (typeof value !== 'object' || value === null) return null
  const { follows, filter } = value as Record<string, unknown>
  if (!Array.isArray(follows) || follows.length > MAX_FOLLOWS) return null
  if (!follows.every((f) => typeof f === 'string' && f.length <= MAX_ID_CHARS)) return null
  if (typeof filter !== 'object' || filter === null) return null
  const { state, prefix } = filter as Record<string, unknown>
  if (state !== 'all' && state !== 'online' && state !== 'offline' && state !== 'ended') return null
  if (typeof prefix !== 'string' || prefix.length > MAX_ID_CHARS) return null
  return { follows: [...new Set(follows as string[])], filter: { state, prefix } }
}
