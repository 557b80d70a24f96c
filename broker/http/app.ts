import express, { type Express, type RequestHandler } from 'express'
import type { SessionInspector } from '../inspector/types.ts'
import type { MetricsScrape } from '../metrics/prometheus.ts'
import type { OperatorConsole } from '../operator/index.ts'
import { errorHandler, notFound } from './errors.ts'
import { type HistorySources, metricsHistoryRouter, queueDepthRouter } from './history-routes.ts'
import { operatorRouter } from './operator-routes.ts'
import { sessionsRouter } from './sessions-routes.ts'

export interface HttpDeps {
  inspector: SessionInspector
  adminToken: string
  metrics: () => Promise<MetricsScrape>
  health: () => { uptime: number; store: string }
  /** The metric ring and per-session queue depths behind the history routes. */
  history: HistorySources
  /** A session's queue, the retained messages, the operator's publish. */
  operator: OperatorConsole
  /** Writes an operator's action to the broker's log. */
  audit: (message: string) => void
  /** Called with errors that became a 500, for the broker's log. */
  onInternalError: (err: unknown) => void
  /** Adds routes (the dashboard) after the API's and before its 404. */
  extend?: (app: Express) => void
}

/** Largest request body accepted; the API's own calls carry none but a publish. */
const BODY_LIMIT = '16kb'
const BODY_LIMIT_BYTES = 16 * 1024

/** The broker's HTTP/JSON API as an Express 5 app. */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  app.set('query parser', 'simple')
  app.use(securityHeaders)
  // a publish carries a payload up to --max-packet-size; JSON escapes count against the slack
  const publishLimit = deps.operator.limits.maxPacketSize + BODY_LIMIT_BYTES
  app.use('/api/publish', express.json({ limit: publishLimit }))
  app.use(express.json({ limit: BODY_LIMIT }))

  app.get('/healthz', (_req, res) => {
    const { uptime, store } = deps.health()
    res.json({ status: 'ok', uptime, store })
  })
  app.get('/metrics', async (_req, res) => {
    const scrape = await deps.metrics()
    res.type(scrape.contentType).send(scrape.text)
  })
  app.use('/api/metrics', metricsHistoryRouter(deps.history))
  app.use('/api/sessions', queueDepthRouter(deps.inspector, deps.history))
  app.use('/api/sessions', sessionsRouter(deps.inspector, deps.adminToken))
  app.use('/api', operatorRouter(deps.operator, deps.adminToken, deps.audit))
  deps.extend?.(app)

  app.use(notFound)
  app.use(errorHandler(deps.onInternalError))
  return app
}

/**
 * Every answer is data about live clients: never cached, never sniffed as
 * HTML, never framed.
 */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
  next()
}
