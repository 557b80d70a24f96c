import { Router } from 'express'
import {
  describeOperatorMessage,
  type OperatorConsole,
  parseOperatorMessage,
} from '../operator/index.ts'
import { requireOperator } from './auth.ts'
import { httpError, methodNotAllowed } from './errors.ts'
import { parsePageQuery } from './list-query.ts'

/**
 * The operator console's calls under `/api`: a session's queue
 * (`/sessions/:clientId/queue`), the retained messages (`/retained`) and a
 * publish as the broker (`/publish`, operator token). Each publish is written
 * to the broker's log by `audit`, as the dashboard's operator actions are.
 */
export function operatorRouter(
  operator: OperatorConsole,
  adminToken: string,
  audit: (message: string) => void,
): Router {
  const router = Router()

  router
    .route('/sessions/:clientId/queue')
    .get(async (req, res) => {
      const { clientId } = req.params
      const query = parsePageQuery(req.query as Record<string, unknown>, false)
      const page = await operator.queue(clientId, query)
      if (page === null) {
        throw httpError('NOT_FOUND', `no session for ClientID ${JSON.stringify(clientId)}`)
      }
      res.json(page)
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/retained')
    .get(async (req, res) => {
      res.json(await operator.retained(parsePageQuery(req.query as Record<string, unknown>, true)))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/publish')
    .post(requireOperator(adminToken), async (req, res) => {
      const message = parseOperatorMessage(req.body, operator.limits)
      await operator.publish(message)
      audit(`operator published ${describeOperatorMessage(message)}`)
      res.json({
        published: true,
        topic: message.topic,
        qos: message.qos,
        retain: message.retain,
        payloadBytes: Buffer.byteLength(message.payload),
      })
    })
    .all(methodNotAllowed(['POST']))

  return router
}
