import type { Clock } from '../clock.ts'
import type { SessionChange } from '../inspector/types.ts'
import type { QueueTotals } from '../store/types.ts'
import type { QueueDepthHistory } from './history-types.ts'
import { SampleRing } from './sample-ring.ts'
import { HISTORY_WINDOW_MS, SAMPLE_INTERVAL_MS } from './samples.ts'

/**
 * Sessions whose queue depth is kept at most: 256 full hours are about
 * 4.4 MB (720 samples of time, depth and bytes each).
 */
export const MAX_TRACKED_SESSIONS = 256

type DepthKey = 'depth' | 'bytes'
const DEPTH_KEYS: readonly DepthKey[] = ['depth', 'bytes']

interface Tracked {
  ring: SampleRing<DepthKey>
  /** Last time its queue was not empty or someone read its history: it goes a window later. */
  interest: number
}

export interface QueueDepthOptions {
  /** The store's per-session queue counters (sync for memory and SQLite, a promise on redis). */
  queuedTotals(clientId: string): QueueTotals | Promise<QueueTotals>
  clock: Clock
  intervalMs?: number
  windowMs?: number
  maxSessions?: number
  onError?: (err: unknown) => void
}

/**
 * Per-session queue-depth history, kept server-side so a session page opened
 * late still shows the last hour. Only for sessions that have a queue (a
 * message was queued for them, or dropped, while they were offline) or
 * whose history someone read; one goes when neither happened for a whole
 * window, or when its session is deleted or expires. At most
 * `maxSessions`: a session with a new queue is not taken while full, a
 * session someone reads always is, in place of the least recently
 * interesting one.
 */
export class QueueDepthTracker {
  readonly intervalMs: number
  readonly #options: QueueDepthOptions
  readonly #capacity: number
  readonly #windowMs: number
  readonly #max: number
  /** In order of interest, least recent first (re-inserted on each touch). */
  readonly #tracked = new Map<string, Tracked>()
  #stopTimer: () => void = () => {}
  #running: Promise<void> | null = null

  constructor(options: QueueDepthOptions) {
    this.#options = options
    this.intervalMs = options.intervalMs ?? SAMPLE_INTERVAL_MS
    this.#windowMs = options.windowMs ?? HISTORY_WINDOW_MS
    this.#capacity = Math.max(1, Math.round(this.#windowMs / this.intervalMs))
    this.#max = options.maxSessions ?? MAX_TRACKED_SESSIONS
  }

  /** Samples every tracked session every `intervalMs` until `stop()`. */
  start(): void {
    this.#stopTimer = this.#options.clock.every(this.intervalMs, () => {
      this.#running ??= this.sampleAll().finally(() => {
        this.#running = null
      })
    })
  }

  async stop(): Promise<void> {
    this.#stopTimer()
    await this.#running
  }

  /** Resolves once the sampling under way, if any, is done. */
  async whenIdle(): Promise<void> {
    await this.#running
  }

  get size(): number {
    return this.#tracked.size
  }

  /** Feeds on session changes: a queued or dropped message starts tracking, deletion and expiry end it. */
  onChange({ clientId, event }: SessionChange): void {
    switch (event.type) {
      case 'queued':
      case 'dropped': {
        const tracked = this.#tracked.get(clientId)
        if (tracked !== undefined) this.#touch(clientId, tracked)
        else if (this.#tracked.size < this.#max) this.#add(clientId)
        return
      }
      case 'deleted':
      case 'expired':
        this.#tracked.delete(clientId)
        return
    }
  }

  /** Whether `clientId` has a history kept. */
  has(clientId: string): boolean {
    return this.#tracked.has(clientId)
  }

  /**
   * The session's history, read by someone: tracked from now on if it was
   * not (with a first sample taken at once), and kept for another window.
   * The caller checks the session exists.
   */
  async read(clientId: string): Promise<QueueDepthHistory> {
    let tracked = this.#tracked.get(clientId)
    if (tracked === undefined) {
      if (this.#tracked.size >= this.#max) this.#evictOne()
      tracked = this.#add(clientId)
      await this.#sample(clientId, tracked, this.#options.clock.now())
    } else this.#touch(clientId, tracked)
    const { times, series } = tracked.ring.columns()
    return {
      clientId,
      intervalMs: this.intervalMs,
      times,
      depth: series.depth.map((d) => d ?? 0),
      bytes: series.bytes.map((b) => b ?? 0),
    }
  }

  /** One sample of every tracked session, at one time; sessions idle for a window go. */
  async sampleAll(): Promise<void> {
    const at = this.#options.clock.now()
    await Promise.all([...this.#tracked].map(([id, tracked]) => this.#sample(id, tracked, at)))
    for (const [id, tracked] of this.#tracked) {
      if (at - tracked.interest >= this.#windowMs) this.#tracked.delete(id)
    }
  }

  async #sample(clientId: string, tracked: Tracked, at: number): Promise<void> {
    let totals: QueueTotals
    try {
      totals = await this.#options.queuedTotals(clientId)
    } catch (err) {
      this.#options.onError?.(err)
      return
    }
    // deleted meanwhile: the ring went with it
    if (this.#tracked.get(clientId) !== tracked) return
    tracked.ring.push(at, { depth: totals.count, bytes: totals.bytes })
    if (totals.count > 0) this.#touch(clientId, tracked, at)
  }

  #add(clientId: string): Tracked {
    const tracked = {
      ring: new SampleRing<DepthKey>(this.#capacity, DEPTH_KEYS),
      interest: this.#options.clock.now(),
    }
    this.#tracked.set(clientId, tracked)
    return tracked
  }

  #touch(clientId: string, tracked: Tracked, at = this.#options.clock.now()): void {
    tracked.interest = at
    this.#tracked.delete(clientId)
    this.#tracked.set(clientId, tracked)
  }

  #evictOne(): void {
    const oldest = this.#tracked.keys().next()
    if (!oldest.done) this.#tracked.delete(oldest.value)
  }
}
