import type { MetricHistory, MetricSample } from '../../broker/metrics/history-types.ts'
import { describeError, getJson } from './api.ts'
import { byId, el, time } from './dom.ts'
import { type ChartSpec, MetricChart } from './metric-chart.ts'
import { MetricColumns } from './metric-columns.ts'

const charts: ChartSpec[] = [
  {
    id: 'chart-sessions',
    title: 'Connections and sessions',
    series: [
      { key: 'connections', label: 'connections', color: '#07a' },
      { key: 'online', label: 'online', color: '#080' },
      { key: 'offline', label: 'offline', color: '#a60' },
    ],
  },
  {
    id: 'chart-queued',
    title: 'Queued and in-flight messages',
    series: [
      { key: 'queued', label: 'queued', color: '#a60' },
      { key: 'inflight', label: 'in flight', color: '#07a' },
    ],
  },
  {
    id: 'chart-rates',
    title: 'Messages per second',
    series: [
      { key: 'receivedPerSec', label: 'in', color: '#080' },
      { key: 'sentPerSec', label: 'out', color: '#07a' },
    ],
  },
  {
    id: 'chart-drops',
    title: 'Drops per second',
    series: [{ key: 'droppedPerSec', label: 'dropped', color: '#b00' }],
  },
]

interface Card {
  id: string
  label: string
  value: (s: MetricSample) => number | null
  unit?: string
  /** A second line under the value. */
  note?: (s: MetricSample) => string
}

const cards: Card[] = [
  { id: 'card-connections', label: 'Connections', value: (s) => s.connections },
  { id: 'card-online', label: 'Sessions online', value: (s) => s.online },
  { id: 'card-offline', label: 'Sessions offline', value: (s) => s.offline },
  {
    id: 'card-queued',
    label: 'Queued messages',
    value: (s) => s.queued,
    note: (s) => `${s.inflight} in flight`,
  },
  { id: 'card-in', label: 'Messages in', value: (s) => s.receivedPerSec, unit: '/s' },
  { id: 'card-out', label: 'Messages out', value: (s) => s.sentPerSec, unit: '/s' },
  {
    id: 'card-drops',
    label: 'Drops',
    value: (s) => s.dropped,
    note: (s) => `${s.droppedPerSec ?? 0}/s now`,
  },
]

/**
 * The broker at a glance: cards with the newest sample, and charts of the
 * last hour from the server's ring (`GET /api/metrics/history`), so a page
 * opened late shows what happened before. Each sample the live channel
 * brings is added without polling; each (re)connection reads the history
 * again, to fill what a broken connection missed. For the tests, the root's
 * `data-loads` counts history reads, `data-ready-ms` is when the first one
 * was drawn (ms from navigation start), `data-updates` and `data-update-ms`
 * count live updates and their total drawing time (every chart's setData).
 */
export function overviewPage(): { sample(s: MetricSample): void; reconnected(): void } {
  const columns = new MetricColumns()
  const shown = charts.map((spec) => new MetricChart(spec))
  const cardRow = el('section', { id: 'cards', class: 'cards' })
  const caption = el('p', { id: 'overview-window', class: 'muted' })
  const error = el('p', { id: 'error', class: 'error' })
  const root = el(
    'div',
    { id: 'overview', 'data-loads': '0', 'data-updates': '0', 'data-update-ms': '0' },
    el('h1', {}, 'Overview'),
    caption,
    error,
    cardRow,
    el('section', { class: 'charts' }, ...shown.map((c) => c.figure)),
  )
  byId('main').replaceChildren(root)
  for (const chart of shown) chart.mount(columns)

  let interval = 0
  const render = () => {
    const s = columns.latest
    cardRow.replaceChildren(...cards.map((card) => cardOf(card, s)))
    caption.textContent =
      s === null
        ? 'No sample yet.'
        : `The last ${span(columns)}, one sample every ${interval / 1000} s; the newest at ${time(s.at)}.`
  }
  let loads = 0
  let updates = 0
  let updateMs = 0
  const redraw = () => {
    const started = performance.now()
    for (const chart of shown) chart.update(columns)
    updateMs += performance.now() - started
    updates++
    root.dataset.updates = String(updates)
    root.dataset.updateMs = updateMs.toFixed(3)
  }
  const load = async () => {
    try {
      const history = await getJson<MetricHistory>('/api/metrics/history')
      interval = history.intervalMs
      columns.replace(history)
      for (const chart of shown) chart.update(columns)
      render()
      error.textContent = ''
      root.dataset.loads = String(++loads)
      // from navigation start to cards and charts drawn with the history, for the tests
      if (loads === 1) root.dataset.readyMs = String(Math.round(performance.now()))
    } catch (err) {
      error.textContent = `Cannot read the metric history: ${describeError(err)}`
    }
  }
  render()
  void load()

  return {
    sample(s) {
      if (!columns.append(s)) return
      redraw()
      render()
    },
    reconnected() {
      // samples taken while the channel was not open (before it first opened, too) are in the ring
      void load()
    },
  }
}

/** How long the kept samples cover, as "45 s" or "12 min". */
function span(columns: MetricColumns): string {
  const seconds = Math.round((columns.seconds.at(-1) ?? 0) - (columns.seconds[0] ?? 0))
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`
}

function cardOf(card: Card, s: MetricSample | null): HTMLElement {
  const value = s === null ? null : card.value(s)
  return el(
    'div',
    { id: card.id, class: 'card' },
    el('span', { class: 'label' }, card.label),
    el(
      'span',
      { class: 'value', 'data-value': value === null ? '' : String(value) },
      value === null ? '—' : `${value.toLocaleString('en')}${card.unit ?? ''}`,
    ),
    el('span', { class: 'note' }, s === null || card.note === undefined ? '' : card.note(s)),
  )
}
