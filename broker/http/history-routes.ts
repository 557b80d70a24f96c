import { Router } from 'express'
import type { SessionInspector } from '../inspector/types.ts'
import type { QueueDepthTracker } from '../metrics/queue-depth.ts'
import type { MetricSampler } from '../metrics/samples.ts'
import { httpError, methodNotAllowed } from './errors.ts'

/** What the history routes read: the broker's metric ring and the per-session queue depths. */
export interface HistorySources {
  sampler: Pick<MetricSampler, 'history'>
  queueDepth: Pick<QueueDepthTracker, 'has' | 'read'>
}

/** `GET /api/metrics/history`: the last hour of broker-wide samples, as columns. */
export function metricsHistoryRouter(sources: HistorySources): Router {
  const router = Router()
  router
    .route('/history')
    .get((_req, res) => {
      res.json(sources.sampler.history())
    })
    .all(methodNotAllowed(['GET']))
  return router
}

/**
 * `GET /api/sessions/:clientId/queue-depth`: the session's queue depth over
 * the last hour, as far as the broker kept it. Reading it is asking for it:
 * a session not tracked yet is from now on (starting with one sample), and a
 * read keeps its history for another hour.
 */
export function queueDepthRouter(inspector: SessionInspector, sources: HistorySources): Router {
  const router = Router()
  router
    .route('/:clientId/queue-depth')
    .get(async (req, res) => {
      const { clientId } = req.params
      if (!sources.queueDepth.has(clientId) && (await inspector.get(clientId)) === null) {
        throw httpError('NOT_FOUND', `no session for ClientID ${JSON.stringify(clientId)}`)
      }
      res.json(await sources.queueDepth.read(clientId))
    })
    .all(methodNotAllowed(['GET']))
  return router
}
