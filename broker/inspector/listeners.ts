import { errorMessage } from '../coded-error.ts'

/**
 * The listeners of one kind of typed event. A listener that throws is
 * reported to `warn` and does not keep the others from hearing the event.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>()
  readonly #warn: (message: string) => void

  constructor(warn: (message: string) => void) {
    this.#warn = warn
  }

  /** Returns the function that removes the listener. */
  add(listener: (value: T) => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  tell(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value)
      } catch (err) {
        this.#warn(`session change listener failed: ${errorMessage(err)}`)
      }
    }
  }
}
