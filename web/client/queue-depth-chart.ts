import type { QueueDepthHistory } from '../../broker/metrics/history-types.ts'
import { getJson } from './api.ts'
import { MetricChart } from './metric-chart.ts'

/**
 * A session's queue depth over the last hour, as the broker kept it
 * (`GET /api/sessions/:clientId/queue-depth`), drawn with the overview's
 * uPlot chart. The broker samples every 5 s; the page reads the history
 * again on each live metric sample (as often), so the chart follows the
 * queue without a poll of its own.
 */
export class QueueDepthChart {
  readonly #clientId: string
  readonly #chart = new MetricChart<'depth'>({
    id: 'queue-chart',
    title: 'Messages queued, over the last hour (sampled by the broker every 5 s)',
    series: [{ key: 'depth', label: 'queued messages', color: '#a60' }],
  })
  #mounted = false

  constructor(clientId: string) {
    this.#clientId = clientId
  }

  get figure(): HTMLElement {
    return this.#chart.figure
  }

  /** Reads the history and draws it; the figure must be in the page by then. */
  async refresh(): Promise<void> {
    const history = await getJson<QueueDepthHistory>(
      `/api/sessions/${encodeURIComponent(this.#clientId)}/queue-depth`,
    )
    const columns = {
      seconds: history.times.map((t) => t / 1000),
      series: { depth: history.depth },
    }
    if (this.#mounted) this.#chart.update(columns)
    else {
      this.#chart.mount(columns)
      this.#mounted = true
    }
  }
}
