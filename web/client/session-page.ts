import type { SessionView } from '../../broker/inspector/types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { ApiError, describeError, getJson, postJson, Unreachable } from './api.ts'
import { chartFigure, queueChart } from './chart.ts'
import { byId, bytes, el, time } from './dom.ts'
import { describe } from './events.ts'
import { operatorButtons } from './operator.ts'
import { FOLLOWED_MARK } from './sessions-page.ts'
import { StaleMarker } from './stale.ts'

/** One session: every inspector field, subscriptions, Will, history and a queue-depth chart; live. */
export function sessionPage(view: ViewAnswer): { changed(clientId: string): void } {
  const clientId = decodeURIComponent(location.pathname.slice('/sessions/'.length))
  const samples: { at: number; depth: number }[] = []
  let shown = ''
  const main = byId('main')
  // outside main, which each render replaces: it stays while the broker is away
  const notice = el('p', { id: 'unreachable', class: 'error' })
  main.before(notice)
  const stale = new StaleMarker(notice, () => [main], 2000)

  const load = async () => {
    try {
      const session = await getJson<SessionView>(`/api/sessions/${encodeURIComponent(clientId)}`)
      stale.answered()
      samples.push({ at: Date.now(), depth: session.queue.count })
      // re-render only on a change, so buttons are not replaced under the pointer
      const { queue, ...rest } = session
      const text = JSON.stringify({ ...rest, count: queue.count, bytes: queue.bytes })
      if (text !== shown) render(session)
      shown = text
    } catch (err) {
      if (err instanceof Unreachable) {
        // what is shown stays, greyed: it is the last the broker said
        stale.unreachable()
        return
      }
      stale.answered()
      shown = ''
      if (err instanceof ApiError && err.status === 404) {
        main.replaceChildren(
          el('h1', { id: 'client-id' }, clientId),
          el('p', { id: 'gone' }, 'The broker holds no session for this ClientID.'),
        )
      } else main.replaceChildren(el('p', { class: 'error' }, describeError(err)))
    }
  }

  const render = (s: SessionView) => {
    const error = el('p', { class: 'error', id: 'error' })
    const following = view.state.follows.includes(clientId)
    const help = followHelp(view.mode)
    const follow = el(
      'button',
      { type: 'button', id: 'follow', title: help },
      following ? 'Unfollow' : 'Follow',
    )
    follow.addEventListener('click', async () => {
      const follows = following
        ? view.state.follows.filter((f) => f !== clientId)
        : [...view.state.follows, clientId]
      try {
        view = await postJson<ViewAnswer>('/ui/view', { state: { ...view.state, follows } })
      } catch (err) {
        error.textContent = describeError(err)
        return
      }
      shown = ''
      render(s)
    })
    const fields: [string, string | number][] = [
      ['state', s.ended ? `ended (${s.ended.reason})` : s.connected ? 'online' : 'offline'],
      ...(s.node ? [['cluster node', s.node] as [string, string]] : []),
      ['clean session', s.clean ? '1' : '0'],
      ['protocol version', s.protocolVersion ?? '—'],
      ['keepalive', s.keepalive === null ? '—' : `${s.keepalive} s`],
      ['username', s.username ?? '—'],
      ['remote address', s.remoteAddress ?? '—'],
      ['connected at', time(s.connectedAt)],
      ['disconnected at', time(s.disconnectedAt)],
      ['last activity', time(s.lastActivity)],
      ['queued', s.queue.count],
      ['queued bytes', bytes(s.queue.bytes)],
      [
        'oldest queued',
        s.queue.oldestAgeMs === null ? '—' : `${Math.round(s.queue.oldestAgeMs / 1000)} s`,
      ],
      ['in flight', s.inflight],
      ['incoming awaiting PUBREL', s.incomingAwaitingPubrel],
      ['dropped', s.dropped],
      ['takeovers', s.takeovers],
    ]
    const will = s.will
    main.replaceChildren(
      el('h1', { id: 'client-id' }, s.clientId),
      el(
        'p',
        {},
        follow,
        ' ',
        view.operator
          ? operatorButtons(s, (m) => {
              error.textContent = m
            })
          : null,
      ),
      el(
        'p',
        { id: 'follow-help', class: 'muted' },
        following ? `${FOLLOWED_MARK} Followed. ${help}` : help,
      ),
      error,
      el(
        'dl',
        { id: 'fields' },
        ...fields.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]),
      ),
      el('h2', {}, 'Subscriptions'),
      el(
        'ul',
        { id: 'subscriptions' },
        ...s.subscriptions.map((sub) => el('li', {}, `${sub.topic} (QoS ${sub.qos})`)),
      ),
      el('h2', {}, 'Will'),
      will === null
        ? el('p', { id: 'will' }, 'none')
        : el(
            'dl',
            { id: 'will' },
            el('dt', {}, 'topic'),
            el('dd', { id: 'will-topic' }, will.topic),
            el('dt', {}, 'QoS / retain'),
            el('dd', {}, `${will.qos} / ${will.retain}`),
            el('dt', {}, `payload (${will.payloadBytes} B, ${will.previewKind})`),
            el('dd', { id: 'will-payload' }, will.preview),
          ),
      el('h2', {}, 'Queue depth'),
      chartFigure(queueChart(samples)),
      el('h2', {}, 'History'),
      el(
        'ol',
        { id: 'history', class: 'timeline' },
        ...s.history.map((e) =>
          el('li', { 'data-type': e.type }, el('time', {}, time(e.at)), ' ', describe(e)),
        ),
      ),
    )
  }

  void load()
  // not every change is an event (a queued message is not): the session is also re-read
  const poll = setInterval(() => void load(), 2000)
  window.addEventListener('pagehide', () => clearInterval(poll))
  return {
    changed(id) {
      if (id === clientId) void load()
    },
  }
}

/** What following does, in one line (the Follow button's tooltip and the line under it). */
function followHelp(mode: ViewAnswer['mode']): string {
  return mode === 'persistent'
    ? `Following marks this session ${FOLLOWED_MARK} in the list and, while no page of your view is open, keeps its events (only followed sessions' then, not every session under your filter's prefix) for "While you were away".`
    : `Following marks this session ${FOLLOWED_MARK} in the list. In a clean view the list rides in your cookie (10 at most) and nothing is kept while you are away.`
}
