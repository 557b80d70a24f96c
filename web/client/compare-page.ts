import { type ReportColumn, reportColumns } from '../../clients/sim/report-columns.ts'
import type { StrategySummary } from '../../clients/sim/summary.ts'
import type { CompareFigures, ExpiryFigures, ModelFigures } from '../shared/ui.ts'
import { describeError, getJson } from './api.ts'
import { byId, bytes, el } from './dom.ts'
import { duration, expiresIn } from './times.ts'

interface Model {
  name: string
  holder: string
  survives: string
  lostWhileAway: string
  cluster: string
  figures: (f: CompareFigures) => ModelFigures
}

const models: Model[] = [
  {
    name: 'MQTT CleanSession=0',
    holder: 'broker (store: subscriptions, queue, in-flight)',
    survives: 'everything: subscriptions, queued QoS 1/2 messages, in-flight state',
    lostWhileAway: 'nothing at QoS 1/2 (up to the queue caps)',
    cluster: 'a shared or replicated session store, or ClientID-sticky routing',
    figures: (f) => f.mqtt.persistent,
  },
  {
    name: 'MQTT CleanSession=1',
    holder: 'broker, only while connected',
    survives: 'nothing: the session ends with the connection',
    lostWhileAway: 'every message, and the subscriptions themselves',
    cluster: 'nothing shared: any node can take a reconnect',
    figures: (f) => f.mqtt.clean,
  },
  {
    name: 'CleanSession=1 + client resubscribes',
    holder: 'the client (its list of topics)',
    survives: 'subscriptions, because the client sends them again',
    lostWhileAway: 'every message published while offline',
    cluster: 'nothing shared',
    figures: (f) => f.mqtt.resubscribe,
  },
  {
    name: 'Signed cookie (clean view)',
    holder: 'the browser (state inside the signed cookie)',
    survives: 'the view state, as long as the browser keeps the cookie',
    lostWhileAway: 'every session event that happened while away',
    cluster: 'only the signing secret on every node',
    figures: (f) => f.views.clean,
  },
  {
    name: 'Cookie + server store (persistent view)',
    holder: 'the server (the cookie only names it)',
    survives: 'view state and the events missed while away (bounded)',
    lostWhileAway: 'nothing, up to the missed-events bound',
    cluster: 'a shared view store, or sticky sessions',
    figures: (f) => f.views.persistent,
  },
]

/**
 * The five models side by side, with figures measured from this broker and
 * dashboard. They are read on each `refresh`: the page calls it once its own
 * live connection is open, so that connection and its view are counted.
 */
export function comparePage(): { refresh(): void } {
  const main = byId('main')
  main.replaceChildren(
    el('h1', {}, 'MQTT sessions beside web cookie sessions'),
    el('p', {}, 'Measuring…'),
  )
  return {
    refresh() {
      getJson<CompareFigures>('/ui/compare').then(render, (err: unknown) => {
        main.replaceChildren(el('p', { class: 'error' }, describeError(err)))
      })
    },
  }
}

function render(f: CompareFigures): void {
  // a derived figure says so in its cell; the note under the table says from what
  const figure = (m: Model, value: (x: ModelFigures) => string) => {
    const x = m.figures(f)
    return x.derived === null ? value(x) : `${value(x)} (derived*)`
  }
  const rows: [string, (m: Model) => string][] = [
    ['who holds the state', (m) => m.holder],
    ['survives a disconnect', (m) => m.survives],
    ['lost while away', (m) => m.lostWhileAway],
    ['server bytes per session', (m) => figure(m, (x) => bytes(x.serverBytesPerSession))],
    ['client-held bytes', (m) => figure(m, (x) => bytes(x.clientBytes))],
    [
      'held now: online / offline',
      // the broker cannot tell these sessions apart: counting them twice would mislead
      (m) =>
        m.figures(f).derived === null
          ? `${m.figures(f).online} / ${m.figures(f).offline}`
          : 'counted under CleanSession=1 (derived*)',
    ],
    ['what a cluster needs', (m) => m.cluster],
  ]
  const views = f.views.persistent
  const viewCount = views.online + views.offline
  byId('main').replaceChildren(
    el('h1', {}, 'MQTT sessions beside web cookie sessions'),
    el(
      'p',
      { id: 'compare-summary' },
      `Measured now. MQTT: the mean over ${f.sampled} sessions this broker holds (record and subscriptions as JSON plus queued payload bytes). Views: this dashboard's ${plural(viewCount, 'persistent view')} (${views.online} with a page open, ${views.offline} away) and your own cookie. ${plural(f.liveConnections, 'live channel connection')} open, this page's included.`,
    ),
    el(
      'table',
      { id: 'compare' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), ...models.map((m) => el('th', {}, m.name)))),
      el(
        'tbody',
        {},
        ...rows.map(([label, cell]) =>
          el('tr', {}, el('th', {}, label), ...models.map((m) => el('td', {}, cell(m)))),
        ),
      ),
    ),
    el(
      'p',
      { id: 'derived-note', class: 'muted' },
      `* derived ${f.mqtt.resubscribe.derived ?? ''}.`,
    ),
    el('p', { id: 'view-bytes-note', class: 'muted' }, viewBytesNote(f)),
    mqtt5Section(f),
    simSection(f.simReport),
  )
}

/** Why a persistent view's bytes grow: the events it keeps while away. */
function viewBytesNote(f: CompareFigures): string {
  const v = f.views.persistent
  const count = v.online + v.offline
  if (count === 0) return 'No persistent view is held now: a view is made when a page of it opens.'
  const total = (v.serverBytesPerSession ?? 0) * count
  const state = Math.max(0, Math.round((total - v.missedBytes) / count))
  const perEvent = v.missedHeld === 0 ? null : Math.round(v.missedBytes / v.missedHeld)
  return (
    `A persistent view's server bytes are its record in the session store: its state (followed ClientIDs and filter, ~${bytes(state)} a view) ` +
    `plus the session events it missed while no page of it was open, kept to show under "While you were away" — up to ${v.maxMissed} a view` +
    (perEvent === null ? '' : `, ~${bytes(perEvent)} each`) +
    `. Now ${plural(v.missedHeld, 'missed event')} (${bytes(v.missedBytes)}) are held. ` +
    `So a view with nothing missed holds ~${bytes(state)}; one away while sessions are busy grows towards tens of KiB (${v.maxMissed} events of ~150 B); opening a page hands its events over and it shrinks again.`
  )
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function simSection(sim: CompareFigures['simReport']): HTMLElement {
  if ('missing' in sim) {
    return el(
      'section',
      { id: 'sim' },
      el('h2', {}, 'Fleet simulation'),
      el(
        'p',
        {},
        `No report at ${sim.path}: ${sim.missing}. Run `,
        el('code', {}, `sessionlab sim ... --report-json ${sim.path}`),
        '.',
      ),
    )
  }
  const r = sim.report
  const columns = reportColumns(r)
  const cell = (c: ReportColumn, s: StrategySummary) => {
    const value = c.value(s)
    if (value === null) return '—'
    return c.bytes && typeof value === 'number' ? bytes(value) : value
  }
  return el(
    'section',
    { id: 'sim' },
    el('h2', {}, 'Last fleet simulation'),
    el(
      'p',
      {},
      `${r.devices} devices, seed ${r.seed}, ${r.messages} messages at QoS ${r.qos}, broker ${r.broker}`,
    ),
    el(
      'table',
      { id: 'sim-table' },
      el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', {}, c.header)))),
      el(
        'tbody',
        {},
        ...r.strategies.map((s) => el('tr', {}, ...columns.map((c) => el('td', {}, cell(c, s))))),
      ),
    ),
  )
}

interface ExpiryModel {
  id: string
  name: (f: CompareFigures) => string
  holder: string
  lasts: (x: ExpiryFigures) => string
  figures: (f: CompareFigures) => ExpiryFigures
}

/** "N s" for each interval seen, "none held" when none is. */
function secondsOf(x: ExpiryFigures): string {
  if (x.seconds.length === 0) return 'N'
  return x.seconds.map((s) => (s === 0xffffffff ? '0xFFFFFFFF' : String(s))).join(', ')
}

const expiryModels: ExpiryModel[] = [
  {
    id: 'mqtt5-expiring',
    name: (f) => `MQTT 5 Session Expiry ${secondsOf(f.mqtt5.expiring)} s`,
    holder: 'broker (store: subscriptions, queue, in-flight), until the interval runs out offline',
    lasts: (x) =>
      x.seconds.length === 0
        ? 'N s after the connection closes'
        : `${x.seconds.map((s) => (s === 0xffffffff ? 'never ends' : `${duration(s * 1000)} after the connection closes`)).join('; ')} (a DISCONNECT may change it, never from 0)`,
    figures: (f) => f.mqtt5.expiring,
  },
  {
    id: 'view-max-age',
    name: (f) => `A cookie with ${f.views.maxAge.cookie} (persistent view)`,
    holder: 'the server (the cookie only names it), until Max-Age passes without a visit',
    lasts: (x) =>
      `${duration((x.seconds[0] ?? 0) * 1000)} after the last visit (each page sets the cookie again: Set-Cookie refreshes it)`,
    figures: (f) => f.views.maxAge,
  },
  {
    id: 'mqtt5-zero',
    name: () => 'MQTT 5 Session Expiry 0',
    holder: 'broker, only while connected',
    lasts: () => 'ends with the connection',
    figures: (f) => f.mqtt5.zero,
  },
  {
    id: 'browser-session',
    name: () => 'A browser-session cookie (clean view)',
    holder: 'the browser (state inside the signed cookie, no Max-Age)',
    lasts: () => 'ends when the browser session ends; the server holds nothing',
    // it ends with the browser session: no time of its own to show
    figures: (f) => ({ ...f.views.clean, seconds: [], nextEndAt: null }),
  },
]

/**
 * The MQTT 5 pair: Session Expiry N beside a cookie's Max-Age=N, expiry 0
 * beside a browser-session cookie, each measured here: the MQTT 5 sessions
 * this broker holds and the views this dashboard holds.
 */
function mqtt5Section(f: CompareFigures): HTMLElement {
  const nextEnd = (x: ExpiryFigures) => (x.nextEndAt === null ? '—' : expiresIn(x.nextEndAt))
  const lasts = (m: ExpiryModel) => m.lasts(m.figures(f))
  const rows: [string, (m: ExpiryModel) => string][] = [
    ['who holds the state', (m) => m.holder],
    ['how long it outlives its connection', lasts],
    ['server bytes per session', (m) => bytes(m.figures(f).serverBytesPerSession)],
    ['client-held bytes', (m) => bytes(m.figures(f).clientBytes)],
    ['held now: online / offline', (m) => `${m.figures(f).online} / ${m.figures(f).offline}`],
    ['the first held offline ends', (m) => nextEnd(m.figures(f))],
  ]
  return el(
    'section',
    { id: 'mqtt5' },
    el('h2', {}, "MQTT 5: Session Expiry beside the cookie's Max-Age"),
    el(
      'p',
      {},
      `MQTT 5 replaced CleanSession with Clean Start and a Session Expiry Interval: the session outlives its connection for that many seconds, as a cookie lives Max-Age seconds; 0 ends it with the connection, as a cookie without Max-Age ends with the browser session. Measured now: the MQTT 5 sessions among the ${f.sampled} sampled, and this dashboard's views, whose cookie has ${f.views.maxAge.cookie} (--view-max-age).`,
    ),
    el(
      'table',
      { id: 'compare-mqtt5' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, ''),
          ...expiryModels.map((m) => el('th', { 'data-model': m.id }, m.name(f))),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map(([label, cell]) =>
          el(
            'tr',
            {},
            el('th', {}, label),
            ...expiryModels.map((m) => el('td', { 'data-model': m.id }, cell(m))),
          ),
        ),
      ),
    ),
  )
}
