import type { DashboardViewStore } from '../../broker/store/types.ts'
import type { LiveChange } from '../shared/messages.ts'
import type { ViewState } from '../shared/ui.ts'
import { emptyState } from './cookie.ts'
import { decodeView, encodeView, recordBytes } from './view-records.ts'

/** Server-side state of one persistent view: the dashboard's CleanSession=0 session. */
export interface PersistentView {
  /** The viewer id its cookie names (it changes on login and logout). */
  id: string
  state: ViewState
  /** Changes seen while no page of this view was open, oldest first, bounded. */
  missed: LiveChange[]
  missedDropped: number
  /** Open live connections of this view. */
  open: number
  lastSeen: number
}

export interface ViewStoreOptions {
  /** Missed changes kept per view (the oldest go first, and are counted). */
  maxMissed: number
  /** Persistent views kept; the least recently seen closed one goes first. */
  maxViews: number
  /**
   * How long a view with no page open is kept after it was last seen
   * (`--view-max-age`, its cookie's Max-Age); none: until evicted.
   */
  maxAgeMs?: number
  /** Where views are kept across restarts (the session store); none: for this run only. */
  records?: DashboardViewStore
  /** Told when the store cannot be read or written; the views in memory go on. */
  warn?: (message: string) => void
  /**
   * How long changes that nobody waits for (missed events, last seen) may
   * gather before they are written together (default 1000 ms): a drain makes
   * one event per message.
   */
  saveDelayMs?: number
}

/**
 * Every persistent view: followed ClientIDs, the list filter and what each
 * missed while away. Clean views are never here. Views are held in memory
 * and written through to the session store, so they survive a restart: a
 * change of state is committed before the call that made it answers; missed
 * events are written within `saveDelayMs`, and on close.
 */
export class ViewStore {
  readonly #views = new Map<string, PersistentView>()
  readonly #options: ViewStoreOptions
  /** Ids to write, and ids to forget, at the next save. */
  readonly #dirty = new Set<string>()
  readonly #gone = new Set<string>()
  #timer: NodeJS.Timeout | null = null
  /** Saves run one after another, in the order they were asked for. */
  #saving: Promise<void> = Promise.resolve()
  #loaded: Promise<void> = Promise.resolve()
  #closed = false
  #highestSeq = 0

  constructor(options: ViewStoreOptions) {
    this.#options = options
  }

  /** Reads the views kept by an earlier run; {@link loaded} resolves once they are in. */
  load(): Promise<void> {
    const records = this.#options.records
    if (records === undefined) return this.#loaded
    this.#loaded = records.loadDashboardViews().then(
      (stored) => {
        const unreadable: string[] = []
        for (const record of stored) {
          const kept = decodeView(record, this.#options.maxMissed)
          if (kept === null) {
            unreadable.push(record.id)
            continue
          }
          if (this.#views.has(record.id)) continue
          this.#views.set(record.id, { id: record.id, ...kept, open: 0 })
          for (const change of kept.missed)
            this.#highestSeq = Math.max(this.#highestSeq, change.seq)
        }
        for (const id of unreadable) this.#forget(id)
        if (unreadable.length > 0) {
          this.#options.warn?.(`dashboard: ${unreadable.length} stored view(s) unreadable, dropped`)
        }
        // a smaller maxViews than the run that kept them: the least recently seen go
        this.#evict()
        if (this.#gone.size > 0) this.#schedule()
      },
      (err: unknown) => {
        this.#options.warn?.(
          `dashboard: cannot read the stored views (${String(err)}); starting without them`,
        )
      },
    )
    return this.#loaded
  }

  /** The highest change number a loaded view holds: a restarted live channel numbers on from it. */
  get highestSeq(): number {
    return this.#highestSeq
  }

  /** Resolves once {@link load} is done (at once when nothing is loading). */
  get loaded(): Promise<void> {
    return this.#loaded
  }

  get(id: string): PersistentView | undefined {
    return this.#views.get(id)
  }

  /** The view of `id`, created (with `state`) when absent; `created` says which. */
  open(id: string, now: number, state?: ViewState): { view: PersistentView; created: boolean } {
    let view = this.#views.get(id)
    const created = view === undefined
    if (view === undefined) {
      view = {
        id,
        state: state ?? emptyState(),
        missed: [],
        missedDropped: 0,
        open: 0,
        lastSeen: now,
      }
      this.#views.set(id, view)
      this.#evict()
    }
    view.lastSeen = now
    this.#changed(id)
    return { view, created }
  }

  /** A page of the view was loaded: its Max-Age counts again from now. */
  visited(id: string, now: number): void {
    const view = this.#views.get(id)
    if (view === undefined) return
    view.lastSeen = now
    this.#changed(id)
  }

  /** A page of the view closed its live connection. */
  closed(view: PersistentView, now: number): void {
    view.open--
    view.lastSeen = now
    if (this.#views.get(view.id) === view) this.#changed(view.id)
  }

  /** Sets a view's state (creating the view); resolves once it is committed. */
  async setState(id: string, now: number, state: ViewState): Promise<PersistentView> {
    const { view } = this.open(id, now)
    view.state = state
    await this.save()
    return view
  }

  /** Forgets a view; resolves once the store forgot it too. */
  delete(id: string): Promise<void> {
    if (this.#views.delete(id)) this.#forget(id)
    return this.save()
  }

  /** Moves a view to a new id (the viewer's id changes when it logs in or out); committed on resolve. */
  rename(from: string, to: string): Promise<void> {
    const view = this.#views.get(from)
    if (view === undefined) return Promise.resolve()
    this.#views.delete(from)
    this.#forget(from)
    view.id = to
    this.#views.set(to, view)
    this.#changed(to)
    return this.save()
  }

  get size(): number {
    return this.#views.size
  }

  /** Offers a change to every view with no page open that cares about it. */
  record(change: LiveChange): void {
    for (const view of this.#views.values()) {
      if (view.open > 0 || !wants(view.state, change.clientId)) continue
      view.missed.push(change)
      if (view.missed.length > this.#options.maxMissed) {
        view.missed.shift()
        view.missedDropped++
      }
      this.#changed(view.id)
    }
  }

  /** Hands over (and forgets) what a view missed. */
  takeMissed(view: PersistentView): { missed: LiveChange[]; missedDropped: number } {
    const taken = { missed: view.missed, missedDropped: view.missedDropped }
    view.missed = []
    view.missedDropped = 0
    if (this.#views.get(view.id) === view) this.#changed(view.id)
    return taken
  }

  /**
   * Forgets every view away for its Max-Age or longer, as a broker ends an
   * MQTT 5 session at its Session Expiry: a view with a page open never
   * expires, and one's age counts from when it was last seen. Resolves with
   * how many went, once the store forgot them too.
   */
  async expire(now: number): Promise<number> {
    const maxAgeMs = this.#options.maxAgeMs
    if (maxAgeMs === undefined) return 0
    let expired = 0
    for (const view of [...this.#views.values()]) {
      if (view.open > 0 || view.lastSeen + maxAgeMs > now) continue
      this.#views.delete(view.id)
      this.#forget(view.id)
      expired++
    }
    if (expired > 0) await this.save()
    return expired
  }

  /** When the first view away reaches its Max-Age, ms since the epoch; null when none will. */
  nextEnd(): number | null {
    const maxAgeMs = this.#options.maxAgeMs
    if (maxAgeMs === undefined) return null
    let next: number | null = null
    for (const view of this.#views.values()) {
      if (view.open > 0) continue
      const end = view.lastSeen + maxAgeMs
      if (next === null || end < next) next = end
    }
    return next
  }

  /** Views with a page open, views away, and the missed changes held for the latter. */
  counts(): { open: number; away: number; missedHeld: number } {
    let open = 0
    let missedHeld = 0
    for (const view of this.#views.values()) {
      if (view.open > 0) open++
      missedHeld += view.missed.length
    }
    return { open, away: this.#views.size - open, missedHeld }
  }

  /**
   * Bytes the views take as the store keeps them (id, JSON, time), and the
   * part of it that is missed changes, for the compare page.
   */
  bytesHeld(): { total: number; missed: number } {
    let total = 0
    let missed = 0
    for (const [id, view] of this.#views) {
      total += recordBytes(encodeView(id, view))
      if (view.missed.length > 0) missed += Buffer.byteLength(JSON.stringify(view.missed), 'utf8')
    }
    return { total, missed }
  }

  /**
   * Writes what changed since the last save, after what was asked before;
   * resolves once committed. Without a store there is nothing to write.
   */
  save(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    const records = this.#options.records
    if (records === undefined || (this.#dirty.size === 0 && this.#gone.size === 0)) {
      return this.#saving
    }
    const gone = [...this.#gone]
    const views = [...this.#dirty].flatMap((id) => {
      const view = this.#views.get(id)
      return view === undefined ? [] : [encodeView(id, view)]
    })
    this.#gone.clear()
    this.#dirty.clear()
    const write = this.#saving.then(async () => {
      if (gone.length > 0) await records.deleteDashboardViews(gone)
      if (views.length > 0) await records.saveDashboardViews(views)
    })
    // a failed write does not stop the next one
    this.#saving = write.catch(() => {})
    return write
  }

  /** Writes what is pending, then schedules nothing more: before the store closes. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#loaded
    await this.save()
  }

  #changed(id: string): void {
    this.#gone.delete(id)
    this.#dirty.add(id)
    this.#schedule()
  }

  #forget(id: string): void {
    this.#dirty.delete(id)
    this.#gone.add(id)
  }

  #schedule(): void {
    if (this.#timer !== null || this.#closed || this.#options.records === undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.save().catch((err: unknown) => {
        this.#options.warn?.(`dashboard: cannot save the persistent views: ${String(err)}`)
      })
    }, this.#options.saveDelayMs ?? 1000)
    // a pending save must not keep a process alive; close() writes it anyway
    this.#timer.unref()
  }

  #evict(): void {
    while (this.#views.size > this.#options.maxViews) {
      let oldest: PersistentView | null = null
      for (const view of this.#views.values()) {
        if (view.open > 0) continue
        if (oldest === null || view.lastSeen < oldest.lastSeen) oldest = view
      }
      if (oldest === null) return
      this.#views.delete(oldest.id)
      this.#forget(oldest.id)
    }
  }
}

/** A view follows its ClientIDs when it has some, else everything under its prefix. */
function wants(state: ViewState, clientId: string): boolean {
  if (state.follows.length > 0) return state.follows.includes(clientId)
  return clientId.startsWith(state.filter.prefix)
}
