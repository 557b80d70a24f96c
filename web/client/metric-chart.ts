import uPlot from 'uplot'
import type { MetricSeries } from '../../broker/metrics/history-types.ts'
import { el } from './dom.ts'

/** A tick of the time axis: hours and minutes, and seconds when ticks are under a minute apart. */
function clock(seconds: number, incr: number): string {
  const options: Intl.DateTimeFormatOptions = {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }
  if (incr < 60) options.second = '2-digit'
  return new Date(seconds * 1000).toLocaleTimeString([], options)
}

/** One chart: a title and the series it draws, by their keys in {@link ChartColumns}. */
export interface ChartSpec<K extends string = MetricSeries> {
  id: string
  title: string
  series: { key: K; label: string; color: string }[]
}

/**
 * What a chart draws: sample times in seconds (uPlot's unit), oldest first,
 * and one column per series aligned with them (`MetricColumns` for the
 * overview, a session's queue depth for its page).
 */
export interface ChartColumns<K extends string> {
  seconds: number[]
  series: Record<K, (number | null)[]>
}

const HEIGHT = 170

/**
 * A uPlot time-series chart in a `<figure>` that follows its box's width
 * (ResizeObserver), so it fits a phone as well as a wide screen. uPlot draws
 * on a canvas and sets only element.style (CSSOM), which the pages' CSP
 * allows. After each draw the figure's `data-points` says how many samples
 * it drew, for the tests.
 */
export class MetricChart<K extends string = MetricSeries> {
  readonly figure: HTMLElement
  readonly #box: HTMLElement
  readonly #spec: ChartSpec<K>
  #plot: uPlot | null = null

  constructor(spec: ChartSpec<K>) {
    this.#spec = spec
    this.#box = el('div', { class: 'chart-box' })
    this.figure = el(
      'figure',
      { id: spec.id, class: 'chart', 'data-points': '0' },
      el('figcaption', {}, spec.title),
      this.#box,
    )
  }

  /** Draws the chart once its figure is in the page (uPlot measures its box). */
  mount(columns: ChartColumns<K>): void {
    const options: uPlot.Options = {
      width: this.#width(),
      height: HEIGHT,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // times of day only: uPlot's second line (the date) is cut off at the left edge
      axes: [
        {
          // whole seconds at least: a short history (a session's page opened early) would
          // otherwise get sub-second ticks, each labelled with the same second
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
          values: (_u, splits, _i, _space, incr) => splits.map((s) => clock(s, incr)),
        },
        { size: 50 },
      ],
      series: [
        {},
        ...this.#spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 })),
      ],
      hooks: {
        draw: [(u) => this.#drawn(u)],
      },
    }
    this.#plot = new uPlot(options, this.#data(columns), this.#box)
    new ResizeObserver(() => {
      this.#plot?.setSize({ width: this.#width(), height: HEIGHT })
    }).observe(this.#box)
  }

  /** New data: drawn now (uPlot's batch commits at once), so its cost can be timed around this call. */
  update(columns: ChartColumns<K>): void {
    const plot = this.#plot
    if (plot === null) return
    const data = this.#data(columns)
    plot.batch(() => plot.setData(data))
  }

  #data(columns: ChartColumns<K>): uPlot.AlignedData {
    return [columns.seconds, ...this.#spec.series.map((s) => columns.series[s.key])]
  }

  #width(): number {
    // at least something drawable while the box has no width yet
    return Math.max(200, Math.floor(this.#box.clientWidth))
  }

  #drawn(u: uPlot): void {
    this.figure.dataset.points = String(u.data[0]?.length ?? 0)
  }
}
