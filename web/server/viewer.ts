import type { Request, RequestHandler, Response } from 'express'
import { httpError } from '../../broker/http/errors.ts'
import { cookieHeader, newViewer, readCookie, type Viewer, verifyViewer } from './cookie.ts'
import { CSRF_HEADER, csrfValid } from './csrf.ts'

/** Where a request's verified viewer is kept between middleware and handler. */
const viewers = new WeakMap<Request, Viewer>()

export function viewerOf(req: Request): Viewer {
  const viewer = viewers.get(req)
  if (viewer === undefined) throw new Error('no viewer middleware on this route')
  return viewer
}

/** Sets the viewer cookie (and records it as the request's viewer). */
export function issue(req: Request, res: Response, viewer: Viewer, secret: Buffer, now: number) {
  viewers.set(req, viewer)
  res.append('Set-Cookie', cookieHeader(viewer, secret, req.secure, now))
}

/**
 * For pages: the viewer of a valid cookie, else a new persistent viewer
 * (a forged or expired cookie is treated as none: nothing of it is used).
 */
export function pageViewer(secret: Buffer, now: () => number): RequestHandler {
  return (req, res, next) => {
    const value = readCookie(req.get('cookie'))
    const viewer = value === null ? null : verifyViewer(value, secret, now())
    if (viewer !== null) viewers.set(req, viewer)
    else issue(req, res, newViewer('persistent', now()), secret, now())
    next()
  }
}

/**
 * For the dashboard's JSON calls: a valid cookie is required; a call that
 * changes state also needs the viewer's CSRF token and, when the browser
 * sends one, a same-origin Origin.
 */
export function apiViewer(secret: Buffer, now: () => number): RequestHandler {
  return (req, _res, next) => {
    const value = readCookie(req.get('cookie'))
    const viewer = value === null ? null : verifyViewer(value, secret, now())
    if (viewer === null) {
      throw httpError('FORBIDDEN', 'the viewer cookie is missing, forged or expired; reload')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.get('origin')
      if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) {
        throw httpError('FORBIDDEN', `requests from origin ${origin} are refused`)
      }
      if (!csrfValid(req.get(CSRF_HEADER), viewer.id, secret)) {
        throw httpError('FORBIDDEN', `the ${CSRF_HEADER} header is missing or wrong`)
      }
    }
    viewers.set(req, viewer)
    next()
  }
}

/** Operator actions need a viewer that logged in with the operator token. */
export const requireOperatorViewer: RequestHandler = (req, _res, next) => {
  if (!viewerOf(req).operator) throw httpError('UNAUTHORIZED', 'log in as operator first')
  next()
}
