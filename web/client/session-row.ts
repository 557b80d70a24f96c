import type { SessionSummary } from '../../broker/inspector/types.ts'
import { el, sessionHref } from './dom.ts'
import { operatorButtons } from './operator.ts'
import { absoluteTime, relativeTime } from './times.ts'

/** The mark of a session this view follows (see the session page's Follow). */
export const FOLLOWED_MARK = '★'

/** The columns of the session list: header text, the sort it asks for (if any), and the label a narrow screen shows. */
export const COLUMNS = [
  { key: 'follow', label: '', sort: null },
  { key: 'client-id', label: 'ClientID', sort: 'clientId' },
  { key: 'state', label: 'state', sort: 'state' },
  { key: 'address', label: 'IP', sort: null },
  { key: 'username', label: 'username', sort: null },
  { key: 'connected-at', label: 'connected at', sort: 'connectedAt' },
  { key: 'protocol', label: 'protocol', sort: null },
  { key: 'queued', label: 'queued', sort: 'queued' },
  { key: 'last-activity', label: 'last activity', sort: 'lastActivity' },
  { key: 'actions', label: '', sort: null },
] as const

/** The MQTT version a CONNECT's protocol level names [MQTT-3.1.2-2]: 3 is MQIsdp 3.1, 4 is 3.1.1, 5 is 5.0. */
export function protocolName(level: number | null): string {
  if (level === null) return '—'
  return { 3: '3.1', 4: '3.1.1', 5: '5.0' }[level] ?? `level ${level}`
}

/**
 * A time cell: how long ago, with the full date and time on a second line
 * and in its title; `data-at` lets the page refresh "ago" as time passes.
 */
export function timeCell(key: string, ms: number | null, now: number): HTMLTableCellElement {
  if (ms === null) return el('td', { class: key, 'data-label': label(key) }, '—')
  const full = absoluteTime(ms)
  return el(
    'td',
    { class: key, 'data-label': label(key), title: full },
    el('span', { class: 'ago', 'data-at': String(ms) }, relativeTime(ms, now)),
    el('span', { class: 'at' }, full),
  )
}

/** One row of the list; `now` is the time its "ago"s are counted from. */
export function sessionRow(
  s: SessionSummary,
  followed: boolean,
  operator: boolean,
  now: number,
  onError: (m: string) => void,
): HTMLTableRowElement {
  const attrs: Record<string, string> = {
    'data-client-id': s.clientId,
    class: s.connected ? 'online' : s.ended ? 'ended' : 'offline',
  }
  if (followed) attrs['data-followed'] = 'true'
  const cell = (key: string, ...children: (Node | string | number | null)[]) =>
    el('td', { class: key, 'data-label': label(key) }, ...children)
  // in a cluster, the node the session is connected to
  const state = s.connected
    ? s.node
      ? `online @ ${s.node}`
      : 'online'
    : s.ended
      ? `ended (${s.ended.reason})`
      : 'offline'
  return el(
    'tr',
    attrs,
    el(
      'td',
      followed
        ? { class: 'follow-mark', title: 'followed by this view' }
        : { class: 'follow-mark' },
      followed ? FOLLOWED_MARK : '',
    ),
    cell(
      'client-id',
      el('a', { href: sessionHref(s.clientId) }, s.clientId),
      followed
        ? el('span', { class: 'badge following', title: 'followed by this view' }, 'following')
        : null,
    ),
    cell(
      'state',
      el('span', { class: `badge state-${s.state}` }, state),
      el(
        'span',
        { class: 'clean', title: s.clean ? 'CleanSession=1' : 'CleanSession=0' },
        s.clean ? 'clean' : 'persistent',
      ),
    ),
    cell('address', s.remoteAddress ?? '—'),
    cell('username', s.username ?? '—'),
    timeCell('connected-at', s.connectedAt, now),
    cell('protocol', protocolName(s.protocolVersion)),
    cell(
      'queued',
      el('span', { class: 'count' }, s.queued),
      s.inflight > 0 ? el('span', { class: 'inflight' }, `+${s.inflight} in flight`) : null,
    ),
    timeCell('last-activity', s.lastActivity, now),
    el('td', { class: 'actions' }, operator ? operatorButtons(s, onError) : null),
  )
}

function label(key: string): string {
  return COLUMNS.find((c) => c.key === key)?.label ?? key
}
