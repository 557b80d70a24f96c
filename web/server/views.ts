import type { LiveChange } from '../shared/messages.ts'
import type { ViewState } from '../shared/ui.ts'
import { emptyState } from './cookie.ts'

/** Server-side state of one persistent view: the dashboard's CleanSession=0 session. */
export interface PersistentView {
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
}

/**
 * Every persistent view, in memory: followed ClientIDs, the list filter and
 * what each missed while away. Clean views are never here.
 */
export class ViewStore {
  readonly #views = new Map<string, PersistentView>()
  readonly #options: ViewStoreOptions

  constructor(options: ViewStoreOptions) {
    this.#options = options
  }

  get(id: string): PersistentView | undefined {
    return this.#views.get(id)
  }

  /** The view of `id`, created (with `state`) when absent; `created` says which. */
  open(id: string, now: number, state?: ViewState): { view: PersistentView; created: boolean } {
    let view = this.#views.get(id)
    const created = view === undefined
    if (view === undefined) {
      view = { state: state ?? emptyState(), missed: [], missedDropped: 0, open: 0, lastSeen: now }
      this.#views.set(id, view)
      this.#evict()
    }
    view.lastSeen = now
    return { view, created }
  }

  delete(id: string): void {
    this.#views.delete(id)
  }

  /** Moves a view to a new id (the viewer's id changes when it logs in or out). */
  rename(from: string, to: string): void {
    const view = this.#views.get(from)
    if (view === undefined) return
    this.#views.delete(from)
    this.#views.set(to, view)
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
    }
  }

  /** Hands over (and forgets) what a view missed. */
  takeMissed(view: PersistentView): { missed: LiveChange[]; missedDropped: number } {
    const taken = { missed: view.missed, missedDropped: view.missedDropped }
    view.missed = []
    view.missedDropped = 0
    return taken
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

  /** Bytes of server memory the views take, as their JSON (an estimate for the compare page). */
  bytesHeld(): number {
    let bytes = 0
    for (const [id, view] of this.#views) bytes += id.length + JSON.stringify(view).length
    return bytes
  }

  #evict(): void {
    while (this.#views.size > this.#options.maxViews) {
      let oldest: [string, PersistentView] | null = null
      for (const entry of this.#views) {
        if (entry[1].open > 0) continue
        if (oldest === null || entry[1].lastSeen < oldest[1].lastSeen) oldest = entry
      }
      if (oldest === null) return
      this.#views.delete(oldest[0])
    }
  }
}

/** A view follows its ClientIDs when it has some, else everything under its prefix. */
function wants(state: ViewState, clientId: string): boolean {
  if (state.follows.length > 0) return state.follows.includes(clientId)
  return clientId.startsWith(state.filter.prefix)
}
