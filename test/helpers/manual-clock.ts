import type { Clock } from '../../broker/clock.ts'

/** A clock that moves only when the test says so; its timers fire from `advance`. */
export class ManualClock implements Clock {
  #now: number
  #timers = new Set<{ ms: number; due: number; tick: () => void }>()

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { ms, due: this.#now + ms, tick }
    this.#timers.add(timer)
    return () => this.#timers.delete(timer)
  }

  /** Moves time on; each timer that fell due fires once. */
  advance(ms: number): void {
    this.#now += ms
    for (const timer of [...this.#timers]) {
      if (timer.due > this.#now) continue
      timer.due = this.#now + timer.ms
      timer.tick()
    }
  }
}
