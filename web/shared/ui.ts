/**
 * What the dashboard's `/ui/*` calls answer, typed once for the server
 * (`web/server/routes.ts`) and the browser (`web/client/`). Types only, from
 * browser-safe modules: this module is type-checked in both programs.
 */
import type { SimReport } from '../../clients/sim/summary.ts'
import type { ViewMode } from './messages.ts'

/** What a view remembers: followed ClientIDs and the list filter. */
export interface ViewState {
  follows: string[]
  filter: { state: 'all' | 'online' | 'offline' | 'ended'; prefix: string }
}

/** What `GET /ui/view` answers: the viewer's mode, role and view state. */
export interface ViewAnswer {
  mode: ViewMode
  operator: boolean
  state: ViewState
  /** Size of this viewer's cookie, bytes. */
  cookieBytes: number
}

/** What `GET /ui/compare` answers: live figures of the five models, for the compare page. */
export interface CompareFigures {
  mqtt: {
    persistent: ModelFigures
    clean: ModelFigures
    /** CleanSession=1 with a client that subscribes again on each connect: derived, see `derived`. */
    resubscribe: ModelFigures
  }
  /** The MQTT 5 pair, measured on the MQTT 5 sessions sampled: Session Expiry N > 0, and 0. */
  mqtt5: {
    expiring: ExpiryFigures
    zero: ExpiryFigures
  }
  views: {
    persistent: ModelFigures & {
      /** Missed session events held for views with no page open, and their bytes (JSON). */
      missedHeld: number
      missedBytes: number
      /** The most a view keeps while away. */
      maxMissed: number
    }
    clean: ModelFigures
    /** The persistent views again, as what they are beside MQTT 5: sessions whose cookie has a Max-Age. */
    maxAge: ExpiryFigures & {
      /** The attribute of the cookie this viewer was sent, e.g. `Max-Age=604800`. */
      cookie: string
    }
  }
  /** Sessions sampled to measure the MQTT figures. */
  sampled: number
  /** Open live-channel connections, the asking page's own included (it asks once connected). */
  liveConnections: number
  simReport: { path: string; report: SimReport } | { path: string; missing: string }
}

export interface ModelFigures {
  online: number
  offline: number
  /** Mean bytes the server holds per session of this model; null when there is none to measure. */
  serverBytesPerSession: number | null
  /** Mean bytes the client holds (a cookie, a topic list); null when it holds nothing of it. */
  clientBytes: number | null
  /** null: measured; else how the figures were derived, and from what. */
  derived: string | null
}

/** A model whose sessions outlive their connection for a set time: its figures, and that time. */
export interface ExpiryFigures extends ModelFigures {
  /** How long they outlive their connection, in seconds: each interval seen, ascending (0xFFFFFFFF: never). */
  seconds: number[]
  /** When the first of those away ends, ms since the epoch; null when none is away or none ends. */
  nextEndAt: number | null
}
