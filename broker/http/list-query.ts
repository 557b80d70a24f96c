import type { SessionListQuery, SessionListSort } from '../inspector/types.ts'
import { httpError } from './errors.ts'

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 1000
/** As long as the longest ClientID the broker could accept (--max-client-id-length caps at 65535). */
const MAX_TEXT = 65_535

const known = new Set(['state', 'prefix', 'sort', 'order', 'cursor', 'limit'])

/** The columns the session list sorts by (`sort=`). */
export const SORTS: readonly SessionListSort[] = [
  'clientId',
  'state',
  'queued',
  'lastActivity',
  'connectedAt',
]

/**
 * Parses the query string of `GET /api/sessions`. Untrusted input stops here:
 * an unknown parameter, a repeated one, a state other than online/offline/ended or
 * a sort or order not among those listed (the reason names the value and
 * what is accepted), or a limit that is not an integer 1..1000 is a
 * BAD_REQUEST — a limit past the
 * maximum is refused, never quietly cut, so a client never mistakes a short
 * page for the whole answer.
 */
export function parseListQuery(query: Record<string, unknown>): SessionListQuery {
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      throw httpError(
        'BAD_REQUEST',
        `unknown query parameter ${shown(name)} (known: ${[...known].join(', ')})`,
      )
    }
  }
  const state = single(query, 'state')
  const prefix = single(query, 'prefix')
  const sort = single(query, 'sort')
  const order = single(query, 'order')
  const cursor = single(query, 'cursor')
  const limit = single(query, 'limit')

  const parsed: SessionListQuery = { limit: DEFAULT_LIMIT }
  if (state !== undefined) {
    if (state !== 'online' && state !== 'offline' && state !== 'ended') {
      throw httpError('BAD_REQUEST', `state must be online, offline or ended, got ${shown(state)}`)
    }
    parsed.state = state
  }
  if (prefix !== undefined && prefix !== '') parsed.prefix = prefix
  if (sort !== undefined) {
    if (!(SORTS as readonly string[]).includes(sort)) {
      throw httpError('BAD_REQUEST', `sort must be one of ${SORTS.join(', ')}, got ${shown(sort)}`)
    }
    parsed.sort = sort as SessionListSort
  }
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') {
      throw httpError('BAD_REQUEST', `order must be asc or desc, got ${shown(order)}`)
    }
    parsed.order = order
  }
  if (cursor !== undefined) {
    if (cursor === '') throw httpError('BAD_CURSOR', 'the cursor is empty')
    parsed.cursor = cursor
  }
  if (limit !== undefined) parsed.limit = parseLimit(limit)
  return parsed
}

/**
 * Parses the query string of the other listings (a session's queue, the
 * retained messages): `cursor` and `limit` as for sessions, and `prefix`
 * where `withPrefix`. Refused as {@link parseListQuery} refuses.
 */
export function parsePageQuery(
  query: Record<string, unknown>,
  withPrefix: boolean,
): { limit: number; cursor?: string; prefix?: string } {
  const names = withPrefix ? ['prefix', 'cursor', 'limit'] : ['cursor', 'limit']
  for (const name of Object.keys(query)) {
    if (!names.includes(name)) {
      throw httpError(
        'BAD_REQUEST',
        `unknown query parameter ${shown(name)} (known: ${names.join(', ')})`,
      )
    }
  }
  const prefix = single(query, 'prefix')
  const cursor = single(query, 'cursor')
  const limit = single(query, 'limit')
  const parsed: { limit: number; cursor?: string; prefix?: string } = {
    limit: limit === undefined ? DEFAULT_LIMIT : parseLimit(limit),
  }
  if (prefix !== undefined && prefix !== '') parsed.prefix = prefix
  if (cursor !== undefined) {
    if (cursor === '') throw httpError('BAD_CURSOR', 'the cursor is empty')
    parsed.cursor = cursor
  }
  return parsed
}

function parseLimit(limit: string): number {
  if (!/^\d{1,9}$/.test(limit)) {
    throw httpError('BAD_REQUEST', `limit must be an integer 1-${MAX_LIMIT}, got ${shown(limit)}`)
  }
  const n = Number(limit)
  if (n < 1 || n > MAX_LIMIT) {
    throw httpError('BAD_REQUEST', `limit must be an integer 1-${MAX_LIMIT}, got ${n}`)
  }
  return n
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw httpError('BAD_REQUEST', `${name} must be given once`)
  if (value.length > MAX_TEXT) throw httpError('BAD_REQUEST', `${name} is too long`)
  return value
}

/** Echoes untrusted input back in a reason, cut short. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
}
