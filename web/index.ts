import { join } from 'node:path'
import type { HttpExtension } from '../broker/http/extension.ts'
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
  now?: () => number
}

/**
 * The dashboard as an extension of the broker's HTTP server: pages, assets
 * and `/ui/*` calls on the API's port, and the live channel on `/live`.
 * `createBroker(config, log, { http: dashboard() })`.
 */
export function dashboard(options: DashboardOptions = {}): HttpExtension {
  const now = options.now ?? Date.now
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
      unsubscribe = () => {
        offChange()
        offSample()
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
