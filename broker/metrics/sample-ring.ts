/** Samples a ring starts with room for; it doubles up to its capacity as samples arrive. */
const INITIAL_ROOM = 16

/**
 * The last `capacity` samples of a few numeric series, in typed arrays: a
 * sample costs 8 bytes per series plus 8 for its time, and once full the
 * newest overwrites the oldest, so memory stays bounded however long the
 * broker runs. Room grows by doubling until the first wrap, so a ring that
 * only ever sees a few samples stays small. A null value is kept as NaN.
 */
export class SampleRing<K extends string> {
  readonly capacity: number
  readonly #keys: readonly K[]
  #times: Float64Array
  #columns: Float64Array[]
  /** Index of the oldest sample. */
  #start = 0
  #length = 0

  constructor(capacity: number, keys: readonly K[]) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`a sample ring needs a capacity of at least 1, got ${capacity}`)
    }
    this.capacity = capacity
    this.#keys = keys
    const room = Math.min(capacity, INITIAL_ROOM)
    this.#times = new Float64Array(room)
    this.#columns = keys.map(() => new Float64Array(room))
  }

  get length(): number {
    return this.#length
  }

  /** Adds a sample; when the ring is full, the oldest one goes. */
  push(at: number, values: Readonly<Record<K, number | null>>): void {
    if (this.#length === this.#times.length && this.#length < this.capacity) this.#grow()
    const room = this.#times.length
    const index = (this.#start + this.#length) % room
    this.#times[index] = at
    this.#keys.forEach((key, i) => {
      const column = this.#columns[i]
      if (column !== undefined) column[index] = values[key] ?? Number.NaN
    })
    if (this.#length < room) this.#length++
    else this.#start = (this.#start + 1) % room
  }

  /** The newest sample's time, null when the ring is empty. */
  lastTime(): number | null {
    if (this.#length === 0) return null
    return this.#times[(this.#start + this.#length - 1) % this.#times.length] ?? null
  }

  /** Every sample, oldest first, as a column of times and one column per series. */
  columns(): { times: number[]; series: Record<K, (number | null)[]> } {
    const room = this.#times.length
    const order = Array.from({ length: this.#length }, (_, i) => (this.#start + i) % room)
    const times = order.map((i) => this.#times[i] ?? Number.NaN)
    const series = {} as Record<K, (number | null)[]>
    this.#keys.forEach((key, k) => {
      const column = this.#columns[k] ?? new Float64Array(0)
      series[key] = order.map((i) => {
        const value = column[i] ?? Number.NaN
        return Number.isNaN(value) ? null : value
      })
    })
    return { times, series }
  }

  /** Bytes the ring's arrays take now. */
  get bytes(): number {
    return this.#times.byteLength * (1 + this.#columns.length)
  }

  // Only before the first wrap (length === room < capacity), so the samples
  // are in order from index 0 and copy over as they are.
  #grow(): void {
    const room = Math.min(this.capacity, this.#times.length * 2)
    const times = new Float64Array(room)
    times.set(this.#times)
    this.#times = times
    this.#columns = this.#columns.map((old) => {
      const column = new Float64Array(room)
      column.set(old)
      return column
    })
  }
}
