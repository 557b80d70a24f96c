import type { SessionEvent } from './types.ts'

/** Ring slots a history starts with; it doubles from there up to its size. */
const FIRST_SLOTS = 4
/** How many of the latest events a new event's topic is looked up in. */
const RECENT = 8

/**
 * A session's most recent events, at most `size`, oldest first. Held in
 * memory only: it starts empty with each run of the broker. Its ring grows
 * by doubling up to `size`, so a quiet session costs next to nothing; an
 * offline broker can hold a history for each of 100,000 sessions.
 */
export class History {
  readonly #size: number
  #slots: (SessionEvent | undefined)[] = []
  #count = 0
  /** Slot of the oldest event once the ring is full. */
  #start = 0

  constructor(size: number) {
    this.#size = size
  }

  push(event: SessionEvent): void {
    if (this.#size === 0) return
    this.#shareTopic(event)
    if (this.#count < this.#size) {
      if (this.#count === this.#slots.length) this.#grow()
      this.#slots[this.#count++] = event
      return
    }
    this.#slots[this.#start] = event
    this.#start = (this.#start + 1) % this.#size
  }

  /** A copy, oldest first. */
  toArray(): SessionEvent[] {
    const events: SessionEvent[] = []
    for (let i = 0; i < this.#count; i++) events.push(this.#at(i))
    return events
  }

  /** The i-th event, oldest first. */
  #at(i: number): SessionEvent {
    return this.#slots[(this.#start + i) % this.#slots.length] as SessionEvent
  }

  /**
   * Sized slots instead of a pushed array's: V8 gives an array 17 slots at
   * its first push, which a session with a handful of events mostly wastes.
   */
  #grow(): void {
    const slots = new Array<SessionEvent | undefined>(
      Math.min(this.#size, Math.max(FIRST_SLOTS, this.#count * 2)),
    )
    for (let i = 0; i < this.#count; i++) slots[i] = this.#slots[i]
    this.#slots = slots
  }

  /**
   * Each PUBLISH brings its own copy of its topic, and a session's events
   * mostly repeat a few topics (its filters, the messages queued for it):
   * an equal topic of a recent event is kept once.
   */
  #shareTopic(event: SessionEvent): void {
    if (!('topic' in event)) return
    for (let i = this.#count - 1; i >= Math.max(0, this.#count - RECENT); i--) {
      const recent = this.#at(i)
      if ('topic' in recent && recent.topic === event.topic) {
        event.topic = recent.topic
        return
      }
    }
  }
}
