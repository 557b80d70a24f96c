import { Router } from 'express'
import type { SessionInspector } from '../inspector/types.ts'
import { requireOperator } from './auth.ts'
import { httpError, methodNotAllowed } from './errors.ts'
import { parseListQuery } from './list-query.ts'

/**
 * `/api/sessions`: list, read, disconnect, delete. The ClientID is one path
 * segment, percent-encoded by the caller (`/`, `%`, spaces and any Unicode
 * allowed); the router decodes it.
 */
export function sessionsRouter(inspector: SessionInspector, adminToken: string): Router {
  const router = Router()
  const operator = requireOperator(adminToken)

  router
    .route('/')
    .get(async (req, res) => {
      res.json(await inspector.list(parseListQuery(req.query as Record<string, unknown>)))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/:clientId')
    .get(async (req, res) => {
      const session = await inspector.get(req.params.clientId)
      if (session === null) throw unknown(req.params.clientId)
      res.json(session)
    })
    .delete(operator, async (req, res) => {
      const { clientId } = req.params
      if (!(await inspector.delete(clientId))) throw unknown(clientId)
      res.json({ clientId, deleted: true })
    })
    .all(methodNotAllowed(['GET', 'DELETE']))

  router
    .route('/:clientId/disconnect')
    .post(operator, async (req, res) => {
      const { clientId } = req.params
      if (await inspector.disconnect(clientId)) {
        res.json({ clientId, disconnected: true })
        return
      }
      if ((await inspector.get(clientId)) === null) throw unknown(clientId)
      throw httpError('NOT_CONNECTED', `client ${JSON.stringify(clientId)} is not connected`)
    })
    .all(methodNotAllowed(['POST']))

  return router
}

function unknown(clientId: string) {
  return httpError('NOT_FOUND', `no session for ClientID ${JSON.stringify(clientId)}`)
}
