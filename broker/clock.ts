/**
 * Time as a dependency: everything in the inspector that reads the time or
 * waits for it does so through one Clock, so tests drive it by hand.
 */
export interface Clock {
  /** ms since the epoch. */
  now(): number
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void
}

/** The real clock; its timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
}
