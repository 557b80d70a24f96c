import type { Config } from '../config.ts'
import type { SessionInspector } from '../inspector/types.ts'
import { createMetrics } from '../metrics/prometheus.ts'
import type { BrokerStats } from '../metrics/stats.ts'
import { type AdminToken, resolveAdminToken } from './admin-token.ts'
import { createHttpApp } from './app.ts'
import type { HttpExtension } from './extension.ts'
import { openHttpListener } from './server.ts'

export interface HttpApi {
  /** `http://host:port` as bound. */
  url: string
  adminToken: AdminToken
  close(): Promise<void>
}

/** Resolves the operator token and serves the HTTP/JSON API on `config.httpPort`. */
export async function openHttpApi(deps: {
  config: Pick<Config, 'host' | 'httpPort' | 'adminToken' | 'dataDir'>
  inspector: SessionInspector
  stats: BrokerStats
  storeKind: string
  log: { info(message: string): void; warn(message: string): void }
  /** Served on the same port (the dashboard). */
  extension?: HttpExtension
}): Promise<HttpApi> {
  const { config, inspector, stats, storeKind, log, extension } = deps
  const adminToken = resolveAdminToken(config, (message) => log.warn(message))
  const app = createHttpApp({
    inspector,
    adminToken: adminToken.token,
    metrics: createMetrics(stats),
    health: () => ({ uptime: stats.uptimeSeconds(), store: storeKind }),
    onInternalError: (err) =>
      log.warn(`HTTP API: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    extend: (app) =>
      extension?.mount(app, {
        inspector,
        adminToken: adminToken.token,
        dataDir: config.dataDir,
        storeKind,
        log,
      }),
  })
  const listener = await openHttpListener(app, config.host, config.httpPort)
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
