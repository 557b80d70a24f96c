import type { Server } from 'node:http'
import type { Express } from 'express'
import type { SessionInspector } from '../inspector/types.ts'
import type { MetricSampler } from '../metrics/samples.ts'
import type { OperatorConsole } from '../operator/index.ts'
import type { DashboardViewStore } from '../store/types.ts'

/** What the broker hands an HTTP extension (the dashboard) when it mounts it. */
export interface HttpContext {
  inspector: SessionInspector
  /** The operator token of the JSON API. */
  adminToken: string
  dataDir: string
  storeKind: string
  /** Where the dashboard keeps its persistent views: the session store. */
  views: DashboardViewStore
  log: { info(message: string): void; warn(message: string): void }
  /** The broker's metric samples as they are taken (the overview's live charts). */
  samples: Pick<MetricSampler, 'onSample'>
  /** A session's queue, the retained messages, a publish as the broker (the operator's publish form). */
  operator: OperatorConsole
}

/**
 * Something served beside the JSON API on the same port, without `broker/`
 * importing it: `mount` adds routes before the API's 404, `attach` sees the
 * server once it listens (e.g. for WebSocket upgrades), and `close` runs
 * before the server closes.
 */
export interface HttpExtension {
  mount(app: Express, ctx: HttpContext): void
  attach?(server: Server): void
  close?(): Promise<void>
}
