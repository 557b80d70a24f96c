import type { SessionPage, SessionSummary } from '../../broker/inspector/types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { describeError, getJson, postJson, Unreachable } from './api.ts'
import { byId, el, sessionHref, time } from './dom.ts'
import { operatorButtons } from './operator.ts'
import { publishForm } from './publish-form.ts'
import { StaleMarker } from './stale.ts'

const PAGE_SIZE = 50
const POLL_MS = 2000

/** The mark of a session this view follows (see the session page's Follow). */
export const FOLLOWED_MARK = '★'

/**
 * The session list: filters (kept in the view), counts, one page at a time
 * by cursor, and a refresh of the shown page shortly after any change.
 */
export function sessionsPage(view: ViewAnswer): { changed(): void } {
  const state = el('select', { id: 'filter-state' })
  // ended: clean sessions that ended recently, listed only by this filter
  for (const s of ['all', 'online', 'offline', 'ended']) {
    state.append(el('option', { value: s }, s))
  }
  state.value = view.state.filter.state
  const prefix = el('input', { id: 'filter-prefix', placeholder: 'ClientID prefix' })
  prefix.value = view.state.filter.prefix
  const counts = el('p', { id: 'counts' })
  const error = el('p', { id: 'error', class: 'error' })
  const body = el('tbody', { id: 'session-rows' })
  const table = el('table', { id: 'sessions' })
  const pager = el('p', { class: 'pager' })
  const stale = new StaleMarker(error, () => [counts, table], POLL_MS)
  byId('main').replaceChildren(
    el('h1', {}, 'Sessions'),
    el('form', { id: 'filters' }, 'State ', state, ' Prefix ', prefix),
    counts,
    error,
    table,
    pager,
  )
  if (view.operator) byId('main').append(publishForm())
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { title: `${FOLLOWED_MARK}: followed by this view` }, ''),
        ...[
          'ClientID',
          'state',
          'clean',
          'queued',
          'in flight',
          'dropped',
          'subs',
          'last activity',
          '',
        ].map((h) => el('th', {}, h)),
      ),
    ),
    body,
  )

  // cursors of the pages before the shown one, for "previous"
  const cursors: (string | undefined)[] = []
  let cursor: string | undefined
  // changes come in bursts: one reload 200 ms after the first change of a burst
  let reloadPending = false
  let shown = ''
  // one load at a time, and one more if asked meanwhile: answers never arrive out of order
  let loading = false
  let again = false

  const query = () => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (state.value !== 'all') q.set('state', state.value)
    if (prefix.value !== '') q.set('prefix', prefix.value)
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
    const filter = { state: state.value, prefix: prefix.value }
    try {
      const page = await getJson<SessionPage>(`/api/sessions?${asked}`)
      // filters or page changed while it was asked: these rows are not the ones
      // chosen any more (the next pass asks for those), so they are not shown
      if (query() !== asked) return
      stale.answered()
      const text = JSON.stringify({ filter, page })
      if (text !== shown) render(page, filter)
      shown = text
      error.textContent = ''
    } catch (err) {
      if (query() !== asked) return
      if (err instanceof Unreachable) stale.unreachable()
      else error.textContent = describeError(err)
    }
  }
  /** Counts, rows and the filter they answer, replaced in one step: never one without the others. */
  const render = (page: SessionPage, filter: { state: string; prefix: string }) => {
    const { online, offline, total } = page.counts
    const rows = page.sessions.map((s) =>
      row(s, view.state.follows.includes(s.clientId), view.operator, (m) => {
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
    body.dataset.state = filter.state
    body.dataset.prefix = filter.prefix
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
  const filtersChanged = () => {
    shown = ''
    cursors.length = 0
    cursor = undefined
    void load()
    const filter = { state: state.value as 'all', prefix: prefix.value }
    postJson('/ui/view', { state: { follows: view.state.follows, filter } }).catch((err) => {
      error.textContent = `the filter was not saved: ${describeError(err)}`
    })
  }
  state.addEventListener('change', filtersChanged)
  prefix.addEventListener('input', filtersChanged)
  void load()
  // not every change is an event (a queued message is not): the shown page is also re-read
  setInterval(() => {
    if (document.visibilityState === 'visible') void load()
  }, POLL_MS)
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

function row(
  s: SessionSummary,
  followed: boolean,
  operator: boolean,
  onError: (m: string) => void,
) {
  const attrs: Record<string, string> = {
    'data-client-id': s.clientId,
    class: s.connected ? 'online' : 'offline',
  }
  if (followed) attrs['data-followed'] = 'true'
  const tr = el(
    'tr',
    attrs,
    el(
      'td',
      followed
        ? { class: 'follow-mark', title: 'followed by this view' }
        : { class: 'follow-mark' },
      followed ? FOLLOWED_MARK : '',
    ),
    el('td', { class: 'client-id' }, el('a', { href: sessionHref(s.clientId) }, s.clientId)),
    // in a cluster, the node the session is connected to
    el(
      'td',
      { class: 'state' },
      s.connected
        ? s.node
          ? `online @ ${s.node}`
          : 'online'
        : s.ended
          ? `ended (${s.ended.reason})`
          : 'offline',
    ),
    el('td', {}, s.clean ? '1' : '0'),
    el('td', { class: 'queued' }, s.queued),
    el('td', { class: 'inflight' }, s.inflight),
    el('td', {}, s.dropped),
    el('td', {}, s.subscriptions),
    el('td', {}, time(s.lastActivity)),
    el('td', {}, operator ? operatorButtons(s, onError) : null),
  )
  return tr
}
