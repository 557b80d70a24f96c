import type { SessionView } from '../../broker/inspector/types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { ApiError, describeError, getJson, postJson, Unreachable } from './api.ts'
import { bytes, el } from './dom.ts'
import { describe, reasonName } from './events.ts'
import { groupHistory, groupLine, type HistoryGroup } from './history-groups.ts'
import { operatorButtons } from './operator.ts'
import { QueueDepthChart } from './queue-depth-chart.ts'
import { QueueTable } from './queue-table.ts'
import { protocolName } from './session-row.ts'
import { FOLLOWED_MARK } from './sessions-page.ts'
import { StaleMarker } from './stale.ts'
import { duration, expiresIn, moment, momentAgo } from './times.ts'

/** The parts of the page that live across re-reads: the queue's page and the chart's canvas. */
interface Shown {
  root: HTMLElement
  /** null for an ended clean session: it holds no queue. */
  queue: QueueTable | null
  chart: QueueDepthChart | null
  /** Filled on each change of the session. */
  parts: {
    head: HTMLElement
    fields: HTMLElement
    follow: HTMLElement
    subscriptions: HTMLElement
    will: HTMLElement
    history: HTMLElement
  }
}

/**
 * One session: its fields, Follow (explained), subscriptions, Will, its
 * queue and in-flight messages a page at a time, the queue depth of the
 * last hour (uPlot, from the broker) and its history newest first with
 * repeats grouped. Live: re-read on each event of the session and every
 * 2 s (a queued message is not an event); the chart on each metric sample.
 */
export function sessionPage(view: ViewAnswer): {
  changed(clientId: string): void
  sample(): void
  reconnected(): void
} {
  const clientId = decodeURIComponent(location.pathname.slice('/sessions/'.length))
  let shown: Shown | null = null
  // the history groups opened, so a re-render (each event) does not close them
  const openGroups = new Set<string>()
  let signature = ''
  const main = document.getElementById('main') as HTMLElement
  // outside main, which is replaced when the session goes: it stays while the broker is away
  const notice = el('p', { id: 'unreachable', class: 'error' })
  main.before(notice)
  const stale = new StaleMarker(notice, () => [main], 2000)
  const error = el('p', { class: 'error', id: 'error' })

  const load = async () => {
    try {
      const session = await getJson<SessionView>(`/api/sessions/${encodeURIComponent(clientId)}`)
      stale.answered()
      if (shown === null || (shown.queue === null) !== (session.state === 'ended')) {
        shown = build(session)
        main.replaceChildren(shown.root)
        signature = ''
        void refreshChart()
      }
      // re-render only on a change, so buttons are not replaced under the pointer;
      // times shown as "ago" are refreshed with the queue each time anyway
      const text = JSON.stringify({ session, follows: view.state.follows })
      if (text !== signature) render(shown, session)
      signature = text
      await shown.queue?.refresh()
    } catch (err) {
      if (err instanceof Unreachable) {
        // what is shown stays, greyed: it is the last the broker said
        stale.unreachable()
        return
      }
      stale.answered()
      shown = null
      signature = ''
      if (err instanceof ApiError && err.status === 404) {
        main.replaceChildren(
          el('h1', { id: 'client-id' }, clientId),
          el('p', { id: 'gone' }, 'The broker holds no session for this ClientID.'),
        )
      } else main.replaceChildren(el('p', { class: 'error' }, describeError(err)))
    }
  }

  const refreshChart = async () => {
    try {
      await shown?.chart?.refresh()
    } catch {
      // the session page's own read says what is wrong; the chart waits for the next sample
    }
  }

  const build = (s: SessionView): Shown => {
    const ended = s.state === 'ended'
    const queue = ended ? null : new QueueTable(clientId)
    const chart = ended ? null : new QueueDepthChart(clientId)
    const parts = {
      head: el('div', { class: 'session-head' }),
      fields: el('dl', { id: 'fields' }),
      follow: el('section', { id: 'follow-panel', class: 'panel' }),
      subscriptions: el('section', { class: 'panel' }),
      will: el('section', { class: 'panel' }),
      history: el('section', { id: 'history-panel', class: 'panel wide' }),
    }
    const root = el(
      'div',
      { id: 'session', class: 'session-page' },
      parts.head,
      error,
      el(
        'div',
        { class: 'session-grid' },
        el('section', { class: 'panel' }, el('h2', {}, 'Session'), parts.fields),
        parts.follow,
        parts.subscriptions,
        parts.will,
        queue?.section ?? endedNote(),
        chart
          ? el(
              'section',
              { id: 'depth', class: 'panel wide' },
              el('h2', {}, 'Queue depth'),
              chart.figure,
            )
          : null,
        parts.history,
      ),
    )
    return { root, queue, chart, parts }
  }

  const follow = async (s: SessionView, following: boolean) => {
    const follows = following
      ? view.state.follows.filter((f) => f !== clientId)
      : [...view.state.follows, clientId]
    try {
      view = await postJson<ViewAnswer>('/ui/view', { state: { ...view.state, follows } })
    } catch (err) {
      error.textContent = describeError(err)
      return
    }
    if (shown) render(shown, s)
  }

  const render = (page: Shown, s: SessionView) => {
    const following = view.state.follows.includes(clientId)
    const state = s.ended ? 'ended' : s.connected ? 'online' : 'offline'
    const head: Node[] = [
      el('h1', { id: 'client-id' }, s.clientId),
      el('span', { id: 'state-badge', class: `badge ${state}` }, state),
    ]
    if (following) {
      head.push(
        el('span', { id: 'followed-badge', class: 'badge followed' }, `${FOLLOWED_MARK} followed`),
      )
    }
    if (view.operator) {
      head.push(
        operatorButtons(s, (m) => {
          error.textContent = m
        }),
      )
    }
    page.parts.head.replaceChildren(...head)
    const button = el(
      'button',
      { type: 'button', id: 'follow', 'aria-pressed': String(following) },
      following ? 'Unfollow' : 'Follow',
    )
    button.addEventListener('click', () => void follow(s, following))
    page.parts.follow.replaceChildren(
      el('h2', {}, 'Follow'),
      el(
        'p',
        { id: 'follow-state', 'data-followed': String(following) },
        following ? `${FOLLOWED_MARK} Followed by this view. ` : 'Not followed by this view. ',
        button,
      ),
      el(
        'p',
        { id: 'follow-help', class: 'muted' },
        following ? `${FOLLOWED_MARK} Followed. ${followHelp(view.mode)}` : followHelp(view.mode),
      ),
    )
    page.parts.fields.replaceChildren(
      ...fieldsOf(s).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]),
    )
    page.parts.subscriptions.replaceChildren(
      el('h2', {}, `Subscriptions (${s.subscriptions.length})`),
      s.subscriptions.length === 0
        ? el('p', { id: 'subscriptions', class: 'muted' }, 'none')
        : el(
            'ul',
            { id: 'subscriptions' },
            ...s.subscriptions.map((sub) =>
              el('li', {}, el('code', {}, sub.topic), ` (${subscriptionOptions(sub)})`),
            ),
          ),
    )
    page.parts.will.replaceChildren(el('h2', {}, 'Will'), willOf(s))
    const groups = groupHistory(s.history)
    const item = (group: HistoryGroup) => historyItem(group, openGroups)
    page.parts.history.replaceChildren(
      el('h2', {}, 'History'),
      el(
        'p',
        { class: 'muted' },
        'Newest first. Events in a row that say the same thing are one line with their time range: open it for each one. The broker keeps the latest events of each session (--history-size).',
      ),
      el('ol', { id: 'history', class: 'timeline' }, ...groups.map(item)),
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
    sample() {
      void refreshChart()
    },
    reconnected() {
      void refreshChart()
    },
  }
}

function fieldsOf(s: SessionView): [string, string | number][] {
  return [
    ['state', s.ended ? `ended (${endedReason(s.ended)})` : s.connected ? 'online' : 'offline'],
    ...(s.node ? [['cluster node', s.node] as [string, string]] : []),
    s.protocolVersion === 5
      ? ['Clean Start', s.cleanStart === null ? '—' : s.cleanStart ? '1' : '0']
      : ['clean session', s.clean ? '1' : '0'],
    ['session expiry', expiryOf(s)],
    ['protocol', protocolName(s.protocolVersion)],
    ['keepalive', s.keepalive === null ? '—' : `${s.keepalive} s`],
    ['username', s.username ?? '—'],
    ['remote address', s.remoteAddress ?? '—'],
    ['connected at', momentAgo(s.connectedAt)],
    ['disconnected at', momentAgo(s.disconnectedAt)],
    ['last activity', momentAgo(s.lastActivity)],
    ['queued', s.queue.count],
    ['queued bytes', bytes(s.queue.bytes)],
    ['oldest queued', s.queue.oldestAgeMs === null ? '—' : duration(s.queue.oldestAgeMs)],
    ['in flight', s.inflight],
    ['incoming awaiting PUBREL', s.incomingAwaitingPubrel],
    ['dropped', s.dropped],
    ['takeovers', s.takeovers],
  ]
}

function willOf(s: SessionView): HTMLElement {
  const will = s.will
  if (will === null) return el('p', { id: 'will', class: 'muted' }, 'none')
  return el(
    'dl',
    { id: 'will' },
    el('dt', {}, 'topic'),
    el('dd', { id: 'will-topic' }, will.topic),
    el('dt', {}, 'QoS / retain'),
    el('dd', {}, `${will.qos} / ${will.retain}`),
    el('dt', {}, `payload (${will.payloadBytes} B, ${will.previewKind})`),
    el('dd', { id: 'will-payload' }, will.preview),
    ...(s.protocolVersion === 5
      ? [
          el('dt', {}, 'Will Delay Interval'),
          el(
            'dd',
            { id: 'will-delay' },
            will.delay === 0
              ? '0 s: published as the connection closes'
              : `${will.delay} s after the connection closes (earlier if the session ends first)`,
          ),
        ]
      : []),
  )
}

/** When the session ends once its connection is gone: the cookie's Max-Age, read off the session. */
function expiryOf(s: SessionView): string {
  const { expiry } = s
  const interval =
    expiry.interval === null
      ? ''
      : `Session Expiry ${expiry.interval === 0xffffffff ? '0xFFFFFFFF' : `${expiry.interval} s`}: `
  switch (expiry.ends) {
    case 'connection':
      return `${interval}ends with the connection`
    case 'never':
      return `${interval}never`
    case 'after-disconnect':
      return `${interval}ends ${duration((expiry.seconds ?? 0) * 1000)} after it disconnects`
    case 'at':
      return expiry.at === null
        ? `${interval}ends ${duration((expiry.seconds ?? 0) * 1000)} after the broker started`
        : `${interval}${expiresIn(expiry.at)}`
  }
}

function endedReason(ended: NonNullable<SessionView['ended']>): string {
  return ended.serverDisconnect
    ? `${ended.reason}: server sent DISCONNECT ${reasonName(ended.serverDisconnect)}`
    : ended.reason
}

/** "QoS 1, No Local, Retain As Published, Retain Handling 2, identifier 7, shared by group g1". */
function subscriptionOptions(sub: SessionView['subscriptions'][number]): string {
  const parts = [`QoS ${sub.qos}`]
  if (sub.noLocal) parts.push('No Local')
  if (sub.retainAsPublished) parts.push('Retain As Published')
  if (sub.retainHandling !== undefined && sub.retainHandling !== 0) {
    parts.push(`Retain Handling ${sub.retainHandling}`)
  }
  if (sub.identifier !== undefined) parts.push(`identifier ${sub.identifier}`)
  if (sub.shareGroup !== undefined) parts.push(`shared by group ${sub.shareGroup}`)
  return parts.join(', ')
}

function endedNote(): HTMLElement {
  return el(
    'section',
    { id: 'queue', class: 'panel wide' },
    el('h2', {}, 'Queue and in-flight messages'),
    el(
      'p',
      { class: 'muted' },
      'An ended clean session holds nothing: its messages went with its connection.',
    ),
  )
}

/**
 * A line of the history: one event, or a group of them whose events open
 * under it. `opened` keeps which groups are open (by what they say and
 * their oldest event, which new events do not change).
 */
function historyItem(group: HistoryGroup, opened: Set<string>): HTMLElement {
  const count = group.events.length
  const when =
    count === 1
      ? el('time', {}, moment(group.last))
      : el('time', {}, `${moment(group.first)} – ${moment(group.last)}`)
  const attrs = { 'data-type': group.type, 'data-count': String(count), class: 'history-item' }
  if (count === 1)
    return el('li', attrs, when, ' ', el('span', { class: 'what' }, groupLine(group)))
  const key = `${group.type} ${group.what} ${group.first}`
  const details = el(
    'details',
    opened.has(key) ? { open: '' } : {},
    el('summary', {}, when, ' ', el('span', { class: 'what' }, groupLine(group))),
    el(
      'ol',
      { class: 'history-events' },
      ...group.events.map((e) => el('li', {}, el('time', {}, moment(e.at)), ' ', describe(e))),
    ),
  )
  details.addEventListener('toggle', () => {
    if (details.open) opened.add(key)
    else opened.delete(key)
  })
  return el('li', attrs, details)
}

/** What following does, in a few lines (under the Follow button). */
function followHelp(mode: ViewAnswer['mode']): string {
  const what =
    "Following is part of your dashboard view, not of the MQTT session: neither the broker's session nor the client changes."
  return mode === 'persistent'
    ? `${what} It marks this session ${FOLLOWED_MARK} in the session list and, while no page of your view is open, the server keeps this session's events (only followed sessions', instead of every session under your list filter) to show them under "While you were away" when you come back — as a broker queues for a CleanSession=0 client.`
    : `${what} It marks this session ${FOLLOWED_MARK} in the session list. In a clean view the followed list rides in your cookie (10 at most) and nothing is kept while you are away — as for a CleanSession=1 client.`
}
