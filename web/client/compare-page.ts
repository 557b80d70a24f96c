import { type ReportColumn, reportColumns } from '../../clients/sim/report-columns.ts'
import type { StrategySummary } from '../../clients/sim/summary.ts'
import type { CompareFigures, ModelFigures } from '../shared/ui.ts'
import { getJson } from './api.ts'
import { byId, bytes, el } from './dom.ts'

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
    figures: (f) => f.mqtt.clean,
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

/** The five models side by side, with figures measured from this broker and dashboard. */
export async function comparePage(): Promise<void> {
  const f = await getJson<CompareFigures>('/ui/compare')
  const rows: [string, (m: Model) => string][] = [
    ['who holds the state', (m) => m.holder],
    ['survives a disconnect', (m) => m.survives],
    ['lost while away', (m) => m.lostWhileAway],
    ['server bytes per session (measured)', (m) => bytes(m.figures(f).serverBytesPerSession)],
    ['client-held bytes (measured)', (m) => bytes(m.figures(f).clientBytes)],
    ['held now: online / offline', (m) => `${m.figures(f).online} / ${m.figures(f).offline}`],
    ['what a cluster needs', (m) => m.cluster],
  ]
  byId('main').replaceChildren(
    el('h1', {}, 'MQTT sessions beside web cookie sessions'),
    el(
      'p',
      {},
      `MQTT figures: the mean over ${f.sampled} sessions this broker holds (record and subscriptions as JSON plus queued payload bytes). View figures: this dashboard's ${f.views.persistent.offline} persistent views and your own cookie. ${f.liveConnections} live channel connections open.`,
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
    simSection(f.simReport),
  )
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
