import type { Request, RequestHandler, Response } from 'express'
import { httpError } from '../../broker/http/errors.ts'
import {
  COOKIE_NAME,
  cookieHeader,
  newViewer,
  PERSISTENT_TTL_MS,
  readCookie,
  type Viewer,
  verifyViewer,
} from './cookie.ts'
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
  // the last viewer set wins: a handler's new cookie replaces the refresh the middleware set
  const others = ([] as string[])
    .concat((res.getHeader('Set-Cookie') as string[] | string | undefined) ?? [])
    .filter((c) => !c.startsWith(`${COOKIE_NAME}=`))
  res.setHeader('Set-Cookie', [...others, cookieHeader(viewer, secret, req.secure, now)])
}

/**
 * For pages: the viewer of a valid cookie, else a new persistent viewer
 * (a forged or expired cookie is treated as none: nothing of it is used).
 * A persistent viewer's cookie is set again on each page with a fresh
 * Max-Age, as an MQTT 5 session's expiry counts again from its latest
 * connection: a view lives `maxAgeMs` after its last visit.
 */
export function pageViewer(
  secret: Buffer,
  now: () => number,
  maxAgeMs = PERSISTENT_TTL_MS,
): RequestHandler {
  return (req, res, next) => {
    const value = readCookie(req.get('cookie'))
    const at = now()
    const viewer = value === null ? null : verifyViewer(value, secret, at)
    if (viewer === null) issue(req, res, newViewer('persistent', at, maxAgeMs), secret, at)
    else if (viewer.mode === 'persistent') {
      issue(req, res, { ...viewer, expiresAt: at + maxAgeMs }, secret, at)
    } else viewers.set(req, viewer)
    next()
  }
}

/**
 * For the dashboard's JSON calls: a valid cookie is required; a call that
 * changes state also needs the viewer's CSRF token and, when the browser
 * sends one, a same-origin Origin.
 */
export function apiViewer(
  secret: Buffer,
  now: () => number,
  maxAgeMs = PERSISTENT_TTL_MS,
): RequestHandler {
  return (req, res, next) => {
    const value = readCookie(req.get('cookie'))
    const at = now()
    const viewer = value === null ? null : verifyViewer(value, secret, at)
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
    // each call is a visit too: the persistent cookie's Max-Age counts again
    if (viewer.mode === 'persistent')
      issue(req, res, { ...viewer, expiresAt: at + maxAgeMs }, secret, at)
    else viewers.set(req, viewer)
    next()
  }
}

/** Operator actions need a viewer that logged in with the operator token. */
export const requireOperatorViewer: RequestHandler = (req, _res, next) => {
  if (!viewerOf(req).operator) throw httpError('UNAUTHORIZED', 'log in as operator first')
  next()
}
