/** The windows Mosquitto averages its load over, in seconds, by the name its topics use. */
export const LOAD_WINDOWS = { '1min': 60, '5min': 300, '15min': 900 } as const

export type LoadWindow = keyof typeof LOAD_WINDOWS

/**
 * A counter's rate per minute, averaged exponentially over 1, 5 and 15
 * minutes, as Mosquitto computes its `$SYS/broker/load/...` values
 * (sys_tree.c `calc_load`): at each update the rate since the last one
 * pulls each average toward itself by `1 - e^(-elapsed / window)`, so an
 * average follows a steady rate whatever the update interval. Averages start
 * at 0, and the counter at 0 when the broker started.
 */
export class LoadAverage {
  #lastCount = 0
  readonly #averages: Record<LoadWindow, number> = { '1min': 0, '5min': 0, '15min': 0 }

  /** Takes the counter's value `elapsedSeconds` after the previous update (or the start). */
  update(count: number, elapsedSeconds: number): void {
    if (elapsedSeconds <= 0) return
    const perMinute = ((count - this.#lastCount) * 60) / elapsedSeconds
    this.#lastCount = count
    for (const window of Object.keys(LOAD_WINDOWS) as LoadWindow[]) {
      const kept = Math.exp(-elapsedSeconds / LOAD_WINDOWS[window])
      this.#averages[window] = perMinute + kept * (this.#averages[window] - perMinute)
    }
  }

  /** The average over `window`, per minute. */
  get(window: LoadWindow): number {
    return this.#averages[window]
  }
}
