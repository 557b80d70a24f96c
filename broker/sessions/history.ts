import type { SessionEvent } from './types.ts'

/**
 * A session's most recent events, at most `size`, oldest first. Held in
 * memory only: it starts empty with each run of the broker. Storage grows
 * with use up to `size`, so a quiet session costs next to nothing.
 */
export class History {
  readonly #size: number
  readonly #events: SessionEvent[] = []
  /** Index of the oldest event once the ring is full. */
  #start = 0

  constructor(size: number) {
    this.#size = size
  }

  push(event: SessionEvent): void {
    if (this.#size === 0) return
    if (this.#events.length < this.#size) {
      this.#events.push(event)
      return
    }
    this.#events[this.#start] = event
    this.#start = (this.#start + 1) % this.#size
  }

  /** A copy, oldest first. */
  toArray(): SessionEvent[] {
    return [...this.#events.slice(this.#start), ...this.#events.slice(0, this.#start)]
  }
}
