import type { SessionPage, SessionSummary } from '../../broker/inspector/types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { getJson, postJson } from './api.ts'
import { byId, el, sessionHref, time } from './dom.ts'
import { operatorButtons } from './operator.ts'

const PAGE_SIZE = 50
const POLL_MS = 2000

/**
 * The session list: filters (kept in the view), counts, one page at a time
 * by cursor, and a refresh of the shown page shortly after any change.
 */
export function sessionsPage(view: ViewAnswer): { changed(): void } {
  const state = el('select', { id: 'filter-state' })
  for (const s of ['all', 'online', 'offline']) state.append(el('option', { value: s }, s))
  state.value = view.state.filter.state
  const prefix = el('input', { id: 'filter-prefix', placeholder: 'ClientID prefix' })
  prefix.value = view.state.filter.prefix
  const counts = el('p', { id: 'counts' })
  const error = el('p', { id: 'error', class: 'error' })
  const body = el('tbody', { id: 'session-rows' })
  const pager = el('p', { class: 'pager' })
  byId('main').replaceChildren(
    el('h1', {}, 'Sessions'),
    el('form', { id: 'filters' }, 'State ', state, ' Prefix ', prefix),
    counts,
    error,
    el(
      'table',
      { id: 'sessions' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
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
    ),
    pager,
  )

  // cursors of the pages before the shown one, for "previous"
  const cursors: (string | undefined)[] = []
  let cursor: string | undefined
  // changes come in bursts: one reload 200 ms after the first change of a burst
  let reloadPending = false
  let shown = ''

  const load = async () => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (state.value !== 'all') q.set('state', state.value)
    if (prefix.value !== '') q.set('prefix', prefix.value)
    if (cursor !== undefined) q.set('cursor', cursor)
    try {
      const page = await getJson<SessionPage>(`/api/sessions?${q}`)
      const text = JSON.stringify(page)
      if (text !== shown) render(page)
      shown = text
      error.textContent = ''
    } catch (err) {
      error.textContent = String(err)
    }
  }
  const render = (page: SessionPage) => {
    const { online, offline, total } = page.counts
    counts.replaceChildren(
      el('span', { id: 'count-online' }, `${online} online`),
      ' · ',
      el('span', { id: 'count-offline' }, `${offline} offline`),
      ' · ',
      el('span', { id: 'count-total' }, `${total} total`),
    )
    body.replaceChildren(
      ...page.sessions.map((s) =>
        row(s, view.operator, (m) => {
          error.textContent = m
        }),
      ),
    )
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
    void postJson('/ui/view', { state: { follows: view.state.follows, filter } })
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

function row(s: SessionSummary, operator: boolean, onError: (m: string) => void) {
  const tr = el(
    'tr',
    { 'data-client-id': s.clientId, class: s.connected ? 'online' : 'offline' },
    el('td', { class: 'client-id' }, el('a', { href: sessionHref(s.clientId) }, s.clientId)),
    // in a cluster, the node the session is connected to
    el(
      'td',
      { class: 'state' },
      s.connected ? (s.node ? `online @ ${s.node}` : 'online') : 'offline',
    ),
    el('td', {}, s.clean ? '1' : '0'),
    el('td', { class: 'queued' }, s.queued),
    el('td', { class: 'inflight' }, s.inflight),
    el('td', {}, s.dropped),
    el('td', {}, s.subscriptions),
    el('td', {}, time(s.lastActivity)),
    el('td', {}, operator ? operatorButtons(s.clientId, s.connected, onError) : null),
  )
  return tr
}
