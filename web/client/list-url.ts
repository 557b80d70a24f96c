import type { SessionListSort } from '../../broker/inspector/types.ts'
import type { ViewState } from '../shared/ui.ts'

/** What the session list shows: its filters and its sort, as kept in the page's URL. */
export interface ListState {
  state: ViewState['filter']['state']
  prefix: string
  sort: SessionListSort
  order: 'asc' | 'desc'
}

const STATES: readonly ListState['state'][] = ['all', 'online', 'offline', 'ended']
export const SORTS: readonly SessionListSort[] = [
  'clientId',
  'state',
  'queued',
  'lastActivity',
  'connectedAt',
]

/** The direction a column sorts in on its first click: the biggest and latest first for numbers and times. */
export function firstOrder(sort: SessionListSort): 'asc' | 'desc' {
  return sort === 'clientId' || sort === 'state' ? 'asc' : 'desc'
}

/**
 * The list state a URL's query names; what it does not name comes from
 * `saved` (the view's filter) and the default sort, ClientID ascending.
 * Anything it cannot read is ignored, as a hand-edited URL may hold anything.
 */
export function readListState(search: string, saved: ViewState['filter']): ListState {
  const q = new URLSearchParams(search)
  const named = q.has('state') || q.has('prefix')
  const state = q.get('state') ?? ''
  const sort = q.get('sort') ?? ''
  const order = q.get('order') ?? ''
  return {
    state: named
      ? (STATES as readonly string[]).includes(state)
        ? (state as ListState['state'])
        : 'all'
      : saved.state,
    prefix: named ? (q.get('prefix') ?? '') : saved.prefix,
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as SessionListSort) : 'clientId',
    order: order === 'asc' || order === 'desc' ? order : 'asc',
  }
}

/** The query string that names `list`, defaults left out ("" when all are defaults but the filter). */
export function listSearch(list: ListState): string {
  const q = new URLSearchParams()
  q.set('state', list.state)
  if (list.prefix !== '') q.set('prefix', list.prefix)
  if (list.sort !== 'clientId' || list.order !== 'asc') {
    q.set('sort', list.sort)
    q.set('order', list.order)
  }
  return `?${q.toString()}`
}
