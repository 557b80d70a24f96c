import { join } from 'node:path'
import { type Clock, systemClock } from '../broker/clock.ts'
import type { HttpExtension } from '../broker/http/extension.ts'
import { PERSISTENT_TTL_MS } from './server/cookie.ts'
import { LiveChannel } from './server/live.ts'
import { dashboardRouter } from './server/routes.ts'
import { resolveCookieSecret } from './server/secret.ts'
import { ViewStore } from './server/views.ts'

export interface DashboardOptions {
  /** Signs viewer cookies and CSRF tokens; empty: generated once into `<dataDir>/cookie-secret`. */
  cookieSecret?: string
  /** A fleet simulation's JSON report for the compare page; default `<dataDir>/sim-report.json`. */
  simReportPath?: string
  /** Missed changes a persistent view keeps while away (default 200). */
  maxMissed?: number
  /** Persistent views kept (default 1000; the least recently seen goes first). */
  maxViews?: number
  /** How long missed events may gather before they are written to the store (default 1000 ms). */
  viewSaveDelayMs?: number
  /**
   * Seconds a persistent view lives after its last visit (`--view-max-age`):
   * its cookie's Max-Age, after which the server forgets it (default a week).
   */
  viewMaxAge?: number
  /** Where the time comes from: cookies, views' ages and their expiry checks (default the system's). */
  clock?: Clock
  /** The time alone (tests that move it by hand without timers); default the clock's. */
  now?: () => number
}

/** How often persistent views are checked for their Max-Age: a view ends within a second of it. */
const VIEW_EXPIRY_CHECK_MS = 1000

/**
 * The dashboard as an extension of the broker's HTTP server: pages, assets
 * and `/ui/*` calls on the API's port, and the live channel on `/live`.
 * `createBroker(config, log, { http: dashboard() })`.
 */
export function dashboard(options: DashboardOptions = {}): HttpExtension {
  const clock = options.clock ?? systemClock
  const now = options.now ?? (() => clock.now())
  const viewMaxAgeMs = (options.viewMaxAge ?? PERSISTENT_TTL_MS / 1000) * 1000
  let live: LiveChannel | null = null
  let views: ViewStore | null = null
  let unsubscribe = () => {}
  return {
    mount(app, ctx) {
      const secret = resolveCookieSecret(options.cookieSecret, ctx.dataDir, ctx.log.warn)
      const maxMissed = options.maxMissed ?? 200
      // persistent views live in the session store, so they survive a restart as sessions do
      const store = new ViewStore({
        maxMissed,
        maxViews: options.maxViews ?? 1000,
        maxAgeMs: viewMaxAgeMs,
        records: ctx.views,
        warn: ctx.log.warn,
        saveDelayMs: options.viewSaveDelayMs,
      })
      views = store
      void store.load()
      const channel = new LiveChannel({ secret, views: store, now })
      live = channel
      const offChange = ctx.inspector.onChange((change) => channel.publish(change))
      const offSample = ctx.samples.onSample((sample) => channel.publishMetrics(sample))
      const stopExpiry = clock.every(VIEW_EXPIRY_CHECK_MS, () => {
        store.expire(now()).catch((err: unknown) => {
          ctx.log.warn(`dashboard: cannot forget the expired views: ${String(err)}`)
        })
      })
      unsubscribe = () => {
        offChange()
        offSample()
        stopExpiry()
      }
      app.use(
        dashboardRouter({
          inspector: ctx.inspector,
          adminToken: ctx.adminToken,
          secret,
          views: store,
          live: channel,
          simReportPath: options.simReportPath ?? join(ctx.dataDir, 'sim-report.json'),
          maxMissed,
          viewMaxAgeMs,
          now,
          audit: (message) => ctx.log.info(`dashboard: ${message}`),
          operator: ctx.operator,
        }),
      )
    },
    attach(server) {
      live?.attach(server)
    },
    async close() {
      unsubscribe()
      await live?.close()
      // before the broker closes the store: what the views missed is written now
      await views?.close()
    },
  }
}
