import type { TlsOptions } from 'node:tls'
import type { Config } from '../config.ts'
import type { SessionInspector } from '../inspector/types.ts'
import { createMetrics } from '../metrics/prometheus.ts'
import type { QueueDepthTracker } from '../metrics/queue-depth.ts'
import type { MetricSampler } from '../metrics/samples.ts'
import type { BrokerStats } from '../metrics/stats.ts'
import type { OperatorConsole } from '../operator/index.ts'
import type { DashboardViewStore } from '../store/types.ts'
import { type AdminToken, resolveAdminToken } from './admin-token.ts'
import { createHttpApp } from './app.ts'
import type { HttpExtension } from './extension.ts'
import { openHttpListener } from './server.ts'

export interface HttpApi {
  /** `http://host:port` (`https://` with TLS) as bound. */
  url: string
  adminToken: AdminToken
  close(): Promise<void>
}

/** Resolves the operator token and serves the HTTP/JSON API on `config.httpPort` (HTTPS with `tls`). */
export async function openHttpApi(deps: {
  config: Pick<Config, 'host' | 'httpPort' | 'adminToken' | 'dataDir'>
  inspector: SessionInspector
  stats: BrokerStats
  storeKind: string
  /** Handed to the extension: where the dashboard keeps its persistent views. */
  views: DashboardViewStore
  log: { info(message: string): void; warn(message: string): void }
  /** Served on the same port (the dashboard). */
  extension?: HttpExtension
  /** The broker's metric ring and per-session queue depths (the history routes). */
  sampler: MetricSampler
  queueDepth: QueueDepthTracker
  /** A session's queue, the retained messages, the operator's publish (API and dashboard). */
  operator: OperatorConsole
  /** With it, the port speaks HTTPS only. */
  tls?: TlsOptions
}): Promise<HttpApi> {
  const { config, inspector, stats, storeKind, views, log, extension, tls } = deps
  const { sampler, queueDepth, operator } = deps
  const adminToken = resolveAdminToken(config, (message) => log.warn(message))
  const app = createHttpApp({
    inspector,
    adminToken: adminToken.token,
    metrics: createMetrics(stats),
    health: () => ({ uptime: stats.uptimeSeconds(), store: storeKind }),
    history: { sampler, queueDepth },
    operator,
    audit: (message) => log.info(`HTTP API: ${message}`),
    onInternalError: (err) =>
      log.warn(`HTTP API: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    extend: (app) =>
      extension?.mount(app, {
        inspector,
        adminToken: adminToken.token,
        dataDir: config.dataDir,
        storeKind,
        views,
        log,
        samples: sampler,
        operator,
      }),
  })
  const listener = await openHttpListener(app, config.host, config.httpPort, tls)
  extension?.attach?.(listener.server)
  return {
    url: listener.url,
    adminToken,
    async close() {
      // upgraded sockets (WebSockets) would keep the server open
      await extension?.close?.()
      await listener.close()
    },
  }
}
