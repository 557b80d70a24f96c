import type { SessionListSort, SessionPage, SessionSummary } from '../../broker/inspector/types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { describeError, getJson, postJson, Unreachable } from './api.ts'
import { byId, el } from './dom.ts'
import { firstOrder, type ListState, listSearch, readListState, SORTS } from './list-url.ts'
import { publishForm } from './publish-form.ts'
import { COLUMNS, sessionRow } from './session-row.ts'
import { StaleMarker } from './stale.ts'
import { relativeTime } from './times.ts'

export { FOLLOWED_MARK } from './session-row.ts'

const PAGE_SIZE = 50
const POLL_MS = 2000
/** How often the "3 min ago"s are counted again between reloads. */
const AGO_MS = 15_000

const SORT_NAMES: Record<SessionListSort, string> = {
  clientId: 'ClientID',
  state: 'state',
  queued: 'queued',
  lastActivity: 'last activity',
  connectedAt: 'connected at',
}

/**
 * The session list: filters and sort (kept in the URL, so reload and
 * back/forward bring them back, and the filter also in the view), counts,
 * one page at a time by cursor, and a refresh of the shown page shortly
 * after any change. Sorting is the server's, over the whole list.
 */
export function sessionsPage(view: ViewAnswer): { changed(): void } {
  let list: ListState = readListState(location.search, view.state.filter)
  const state = el('select', { id: 'filter-state' })
  // ended: clean sessions that ended recently, listed only by this filter
  for (const s of ['all', 'online', 'offline', 'ended']) {
    state.append(el('option', { value: s }, s))
  }
  const prefix = el('input', { id: 'filter-prefix', placeholder: 'ClientID prefix' })
  // the sort for screens too narrow for the table's headers (and for the keyboard)
  const sortBy = el('select', { id: 'sort-by' })
  for (const sort of SORTS) {
    for (const order of ['asc', 'desc'] as const) {
      sortBy.append(
        el(
          'option',
          { value: `${sort} ${order}` },
          `${SORT_NAMES[sort]} ${order === 'asc' ? '↑' : '↓'}`,
        ),
      )
    }
  }
  const counts = el('p', { id: 'counts' })
  const error = el('p', { id: 'error', class: 'error' })
  const body = el('tbody', { id: 'session-rows' })
  const head = el('tr', {})
  const table = el('table', { id: 'sessions', class: 'session-list' })
  const pager = el('p', { class: 'pager' })
  const stale = new StaleMarker(error, () => [counts, table], POLL_MS)
  const filters = el(
    'form',
    { id: 'filters', class: 'list-filters' },
    el('label', {}, 'State ', state),
    el('label', {}, 'Prefix ', prefix),
    el('label', {}, 'Sort ', sortBy),
  )
  filters.addEventListener('submit', (e) => e.preventDefault())
  byId('main').replaceChildren(el('h1', {}, 'Sessions'), filters, counts, error, table, pager)
  if (view.operator) byId('main').append(publishForm())
  table.append(el('thead', {}, head), body)

  /** The controls and headers show `list`. */
  const showList = () => {
    state.value = list.state
    prefix.value = list.prefix
    sortBy.value = `${list.sort} ${list.order}`
    head.replaceChildren(...COLUMNS.map((c) => header(c)))
  }
  const header = (column: (typeof COLUMNS)[number]) => {
    const th = el('th', { class: column.key })
    if (column.key === 'follow') th.title = '★: followed by this view'
    if (column.sort === null) {
      th.append(column.label)
      return th
    }
    const sort = column.sort
    const active = list.sort === sort
    th.setAttribute(
      'aria-sort',
      active ? (list.order === 'asc' ? 'ascending' : 'descending') : 'none',
    )
    const button = el(
      'button',
      { type: 'button', class: 'sort', 'data-sort': sort },
      column.label,
      el(
        'span',
        { class: 'sort-mark', 'aria-hidden': 'true' },
        active ? (list.order === 'asc' ? '▲' : '▼') : '',
      ),
    )
    button.title = `sort the whole list by ${SORT_NAMES[sort]}`
    button.addEventListener('click', () => {
      const order = active ? (list.order === 'asc' ? 'desc' : 'asc') : firstOrder(sort)
      choose({ ...list, sort, order }, 'push')
    })
    th.append(button)
    return th
  }

  // cursors of the pages before the shown one, for "previous"
  const cursors: (string | undefined)[] = []
  let cursor: string | undefined
  // changes come in bursts: one reload 200 ms after the first change of a burst
  let reloadPending = false
  let shown = ''
  // one load at a time, and one more if asked meanwhile: answers never arrive out of order
  let loading = false
  let again = false
  let firstRows = true

  const query = () => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (list.state !== 'all') q.set('state', list.state)
    if (list.prefix !== '') q.set('prefix', list.prefix)
    if (list.sort !== 'clientId' || list.order !== 'asc') {
      q.set('sort', list.sort)
      q.set('order', list.order)
    }
    if (cursor !== undefined) q.set('cursor', cursor)
    return q.toString()
  }
  const load = async () => {
    if (loading) {
      again = true
      return
    }
    loading = true
    try {
      do {
        again = false
        await loadOnce()
      } while (again)
    } finally {
      loading = false
    }
  }
  const loadOnce = async () => {
    const asked = query()
    const answering = list
    try {
      const page = await getJson<SessionPage>(`/api/sessions?${asked}`)
      // filters, sort or page changed while it was asked: these rows are not the ones
      // chosen any more (the next pass asks for those), so they are not shown
      if (query() !== asked) return
      stale.answered()
      const text = JSON.stringify({ answering, page })
      if (text !== shown) render(page, answering)
      shown = text
      error.textContent = ''
    } catch (err) {
      if (query() !== asked) return
      if (err instanceof Unreachable) stale.unreachable()
      else error.textContent = describeError(err)
    }
  }
  /** Counts, rows and the list state they answer, replaced in one step: never one without the others. */
  const render = (page: SessionPage, answering: ListState) => {
    const { online, offline, total } = page.counts
    const now = Date.now()
    const rows = page.sessions.map((s: SessionSummary) =>
      sessionRow(s, view.state.follows.includes(s.clientId), view.operator, now, (m) => {
        error.textContent = m
      }),
    )
    counts.replaceChildren(
      el('span', { id: 'count-online' }, `${online} online`),
      ' · ',
      el('span', { id: 'count-offline' }, `${offline} offline`),
      ' · ',
      el('span', { id: 'count-total' }, `${total} total`),
    )
    body.replaceChildren(...rows)
    // what the rows show, for anyone (a test) that must know the rows are those of a filter
    body.dataset.state = answering.state
    body.dataset.prefix = answering.prefix
    body.dataset.sort = answering.sort
    body.dataset.order = answering.order
    if (firstRows) {
      firstRows = false
      // ms from navigation start to the first rows on screen (bench/session-list.ts reads it)
      table.dataset.firstRowsMs = String(Math.round(performance.now()))
    }
    const prev = el('button', { type: 'button', id: 'prev-page' }, '← previous')
    if (cursors.length === 0) prev.setAttribute('disabled', '')
    prev.addEventListener('click', () => {
      cursor = cursors.pop()
      void load()
    })
    const next = el('button', { type: 'button', id: 'next-page' }, 'next →')
    if (page.next === null) next.setAttribute('disabled', '')
    next.addEventListener('click', () => {
      cursors.push(cursor)
      cursor = page.next ?? undefined
      void load()
    })
    pager.replaceChildren(prev, ` page ${cursors.length + 1} `, next)
  }
  /**
   * Shows `next` from its first page. `push` adds a history entry (a state
   * or sort chosen), `replace` rewrites the current one (each key typed in
   * the prefix), `none` leaves the URL (back/forward brought it).
   */
  const choose = (next: ListState, history: 'push' | 'replace' | 'none') => {
    const filterChanged = next.state !== list.state || next.prefix !== list.prefix
    list = next
    showList()
    shown = ''
    cursors.length = 0
    cursor = undefined
    if (history !== 'none') {
      const url = `${location.pathname}${listSearch(list)}`
      if (history === 'push') window.history.pushState(null, '', url)
      else window.history.replaceState(null, '', url)
    }
    void load()
    if (!filterChanged) return
    const filter = { state: list.state, prefix: list.prefix }
    postJson('/ui/view', { state: { follows: view.state.follows, filter } }).catch((err) => {
      error.textContent = `the filter was not saved: ${describeError(err)}`
    })
  }
  state.addEventListener('change', () => {
    choose({ ...list, state: state.value as ListState['state'] }, 'push')
  })
  prefix.addEventListener('input', () => choose({ ...list, prefix: prefix.value }, 'replace'))
  sortBy.addEventListener('change', () => {
    const [sort, order] = sortBy.value.split(' ') as [SessionListSort, 'asc' | 'desc']
    choose({ ...list, sort, order }, 'push')
  })
  window.addEventListener('popstate', () => {
    choose(readListState(location.search, view.state.filter), 'none')
  })
  showList()
  void load()
  // not every change is an event (a queued message is not): the shown page is also re-read
  setInterval(() => {
    if (document.visibilityState === 'visible') void load()
  }, POLL_MS)
  // "3 min ago" grows older even when nothing changes
  setInterval(() => {
    const now = Date.now()
    for (const ago of body.querySelectorAll<HTMLElement>('.ago')) {
      ago.textContent = relativeTime(Number(ago.dataset.at), now)
    }
  }, AGO_MS)
  return {
    changed() {
      if (reloadPending) return
      reloadPending = true
      setTimeout(() => {
        reloadPending = false
        void load()
      }, 200)
    },
  }
}
