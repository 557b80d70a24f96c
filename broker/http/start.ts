import type { Config } from '../config.ts'
import { createMetrics } from '../metrics/prometheus.ts'
import type { BrokerStats } from '../metrics/stats.ts'
import type { SessionInspector } from '../sessions/types.ts'
import { type AdminToken, resolveAdminToken } from './admin-token.ts'
import { createHttpApp } from './app.ts'
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
  log: { warn(message: string): void }
}): Promise<HttpApi> {
  const { config, inspector, stats, storeKind, log } = deps
  const adminToken = resolveAdminToken(config, (message) => log.warn(message))
  const app = createHttpApp({
    inspector,
    adminToken: adminToken.token,
    metrics: createMetrics(stats),
    health: () => ({ uptime: stats.uptimeSeconds(), store: storeKind }),
    onInternalError: (err) =>
      log.warn(`HTTP API: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  })
  const listener = await openHttpListener(app, config.host, config.httpPort)
  return { url: listener.url, adminToken, close: listener.close }
}
