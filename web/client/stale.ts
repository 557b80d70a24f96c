import { time } from './dom.ts'

/**
 * What a page shows while the broker does not answer: one plain message in
 * `notice`, and the figures still on screen greyed (class `stale`,
 * `data-stale`) so nobody reads them as current. The page keeps polling;
 * the first answer clears both.
 */
export class StaleMarker {
  /** When the broker last answered; null before it ever did. */
  #lastAnswer: number | null = null
  #stale = false

  constructor(
    readonly notice: HTMLElement,
    readonly figures: () => HTMLElement[],
    readonly retryMs: number,
  ) {}

  unreachable(): void {
    const shown =
      this.#lastAnswer === null ? '' : ` The figures below are from ${time(this.#lastAnswer)}.`
    this.notice.textContent = `Broker unreachable — retrying every ${this.retryMs / 1000} s.${shown}`
    this.notice.dataset.state = 'unreachable'
    this.#stale = true
    for (const node of this.figures()) {
      node.classList.add('stale')
      node.dataset.stale = 'true'
    }
  }

  answered(): void {
    this.#lastAnswer = Date.now()
    if (!this.#stale) return
    this.#stale = false
    this.notice.textContent = ''
    delete this.notice.dataset.state
    for (const node of this.figures()) {
      node.classList.remove('stale')
      delete node.dataset.stale
    }
  }
}
