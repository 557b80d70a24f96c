import { createHash, timingSafeEqual } from 'node:crypto'
import express, { type Request, type Response, Router } from 'express'
import { httpError, methodNotAllowed } from '../../broker/http/errors.ts'
import type { SessionInspector } from '../../broker/inspector/types.ts'
import {
  describeOperatorMessage,
  type OperatorConsole,
  parseOperatorMessage,
} from '../../broker/operator/index.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { assets } from './bundle.ts'
import { compareFigures, cookieBytes } from './compare.ts'
import { emptyState, newViewer, newViewerId, parseViewState, type Viewer } from './cookie.ts'
import { csrfToken } from './csrf.ts'
import type { LiveChannel } from './live.ts'
import { PAGE_CSP, type PageName, renderPage } from './pages.ts'
import { apiViewer, issue, pageViewer, requireOperatorViewer, viewerOf } from './viewer.ts'
import type { ViewStore } from './views.ts'

export interface RouteDeps {
  inspector: SessionInspector
  adminToken: string
  secret: Buffer
  views: ViewStore
  live: LiveChannel
  simReportPath: string
  /** The most missed changes a persistent view keeps (for the compare page's explanation). */
  maxMissed: number
  /** `--view-max-age` in ms: a persistent view's cookie Max-Age, and how long the view outlives its last visit. */
  viewMaxAgeMs: number
  now: () => number
  audit: (message: string) => void
  /** The operator's publish (the sessions page's publish form). */
  operator: OperatorConsole
}

/** The dashboard's pages (`/`, `/overview`, `/sessions/:clientId`, `/compare`, `/login`), assets and `/ui/*` calls. */
export function dashboardRouter(deps: RouteDeps): Router {
  const { secret, now } = deps
  const router = Router()

  const page = (name: PageName) => (req: Request, res: Response) => {
    const viewer = viewerOf(req)
    if (viewer.mode === 'persistent') deps.views.visited(viewer.id, now())
    res.setHeader('Content-Security-Policy', PAGE_CSP)
    res.type('html').send(renderPage(name, csrfToken(viewerOf(req).id, secret)))
  }
  const pages = pageViewer(secret, now, deps.viewMaxAgeMs)
  router.get('/', pages, page('sessions'))
  router.get('/overview', pages, page('overview'))
  router.get('/sessions/:clientId', pages, page('session'))
  router.get('/compare', pages, page('compare'))
  router.get('/login', pages, page('login'))

  router.get('/assets/app.js', (_req, res) => {
    res.type('text/javascript').send(assets().js)
  })
  // browsers ask for it on every page; there is none
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end()
  })
  router.get('/assets/style.css', (_req, res) => {
    res.type('text/css').send(assets().css)
  })

  const ui = Router()
  // the views an earlier run kept are read before any call reads or changes one
  ui.use(async (_req, _res, next) => {
    await deps.views.loaded
    next()
  })
  ui.use(apiViewer(secret, now, deps.viewMaxAgeMs))
  // a call is a visit: the view's Max-Age counts again, as its cookie's does
  ui.use((req, _res, next) => {
    const viewer = viewerOf(req)
    if (viewer.mode === 'persistent') deps.views.visited(viewer.id, now())
    next()
  })
  ui.use(express.json({ limit: '8kb' }))

  ui.route('/view')
    .get((req, res) => {
      res.json(viewAnswer(viewerOf(req), deps))
    })
    .post(async (req, res) => {
      const state = parseViewState(req.body?.state)
      if (state === null) throw httpError('BAD_REQUEST', 'state: expected { follows, filter }')
      const viewer = viewerOf(req)
      if (viewer.mode === 'persistent') {
        // committed to the session store before the answer, so it survives a restart
        await deps.views.setState(viewer.id, now(), state)
      } else {
        // a clean view's state lives in its cookie only
        issue(req, res, { ...viewer, state }, secret, now())
      }
      res.json(viewAnswer(viewerOf(req), deps))
    })
    .all(methodNotAllowed(['GET', 'POST']))

  ui.post('/mode', async (req, res) => {
    const mode = req.body?.mode
    if (mode !== 'persistent' && mode !== 'clean') {
      throw httpError('BAD_REQUEST', 'mode: expected "persistent" or "clean"')
    }
    const old = viewerOf(req)
    // a new mode is a new view, like a CONNECT with the other CleanSession
    // flag: a clean one starts with nothing; the old server state is discarded
    if (old.mode === 'persistent') await deps.views.delete(old.id)
    const fresh = { ...newViewer(mode, now(), deps.viewMaxAgeMs), operator: old.operator }
    issue(req, res, fresh, secret, now())
    res.json({ ...viewAnswer(fresh, deps), csrf: csrfToken(fresh.id, secret) })
  })

  ui.post('/login', async (req, res) => {
    const token = req.body?.token
    if (typeof token !== 'string' || !sameSecret(token, deps.adminToken)) {
      throw httpError('UNAUTHORIZED', 'the operator token is wrong')
    }
    const viewer = await rotate(viewerOf(req), true)
    issue(req, res, viewer, secret, now())
    deps.audit(`viewer ${viewerOf(req).id} logged in as operator (now ${viewer.id})`)
    res.json({ operator: true, csrf: csrfToken(viewer.id, secret) })
  })
  ui.post('/logout', async (req, res) => {
    const viewer = await rotate(viewerOf(req), false)
    issue(req, res, viewer, secret, now())
    res.json({ operator: false, csrf: csrfToken(viewer.id, secret) })
  })

  // Session fixation: a viewer id known before a change of rights is worth
  // nothing after it; a persistent view's server-side state moves along.
  async function rotate(old: Viewer, operator: boolean): Promise<Viewer> {
    const viewer = { ...old, id: newViewerId(), operator }
    if (old.mode === 'persistent') await deps.views.rename(old.id, viewer.id)
    return viewer
  }

  ui.post('/sessions/:clientId/disconnect', requireOperatorViewer, async (req, res) => {
    const { clientId } = req.params as { clientId: string }
    if (!(await deps.inspector.disconnect(clientId))) {
      if ((await deps.inspector.get(clientId)) === null) throw unknown(clientId)
      throw httpError('NOT_CONNECTED', `client ${JSON.stringify(clientId)} is not connected`)
    }
    // the session's history records it as disconnect (reason admin)
    deps.audit(`operator ${viewerOf(req).id} disconnected ${JSON.stringify(clientId)}`)
    res.json({ clientId, disconnected: true })
  })
  ui.post('/sessions/:clientId/delete', requireOperatorViewer, async (req, res) => {
    const { clientId } = req.params as { clientId: string }
    if (!(await deps.inspector.delete(clientId))) throw unknown(clientId)
    // the session's history records it as deleted (by admin)
    deps.audit(`operator ${viewerOf(req).id} deleted ${JSON.stringify(clientId)}`)
    res.json({ clientId, deleted: true })
  })
  // as POST /api/publish, with the viewer's operator right and CSRF token for the bearer token
  ui.post('/publish', requireOperatorViewer, async (req, res) => {
    const message = parseOperatorMessage(req.body, deps.operator.limits)
    await deps.operator.publish(message)
    deps.audit(`operator ${viewerOf(req).id} published ${describeOperatorMessage(message)}`)
    res.json({ published: true, topic: message.topic, qos: message.qos, retain: message.retain })
  })

  ui.get('/compare', async (req, res) => {
    res.json(
      await compareFigures({
        inspector: deps.inspector,
        views: deps.views,
        live: deps.live,
        viewer: viewerOf(req),
        secret,
        maxMissed: deps.maxMissed,
        viewMaxAgeMs: deps.viewMaxAgeMs,
        now: now(),
        simReportPath: deps.simReportPath,
      }),
    )
  })

  router.use('/ui', ui)
  return router
}

function viewAnswer(viewer: Viewer, deps: RouteDeps): ViewAnswer {
  const state =
    viewer.mode === 'clean'
      ? (viewer.state ?? emptyState())
      : (deps.views.get(viewer.id)?.state ?? emptyState())
  return {
    mode: viewer.mode,
    operator: viewer.operator,
    state,
    cookieBytes: cookieBytes(viewer, deps.secret),
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function unknown(clientId: string) {
  return httpError('NOT_FOUND', `no session for ClientID ${JSON.stringify(clientId)}`)
}
