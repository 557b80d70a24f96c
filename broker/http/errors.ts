import type { ErrorRequestHandler, RequestHandler } from 'express'
import { type ErrorCode, isSessionLabError, SessionLabError } from '../errors.ts'

/** The HTTP status each catalogue code answers with; codes not listed are 500. */
const statusOf: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  BAD_CURSOR: 400,
  BAD_TOPIC: 400,
  BAD_PAYLOAD: 400,
  BAD_QOS: 400,
  BAD_RETAIN: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_CONNECTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; reason: string }
}

/** Shorthand for the errors route handlers throw. */
export function httpError(code: ErrorCode, reason: string): SessionLabError {
  return new SessionLabError(code, reason)
}

/** The last route: whatever reached it matched nothing. */
export const notFound: RequestHandler = (req) => {
  throw httpError('NOT_FOUND', `no route ${req.method} ${req.path}`)
}

/** For a route that exists but not with this method. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '))
    throw httpError(
      'METHOD_NOT_ALLOWED',
      `${req.method} is not allowed here; use ${allowed.join(' or ')}`,
    )
  }
}

/**
 * The one error middleware: Express 5 forwards every thrown error and
 * rejected handler here. Errors with a catalogue code keep it; the body
 * parser's and router's own errors are mapped; anything else is a 500 whose
 * details go to the log, not to the client.
 */
export function errorHandler(onInternal: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err)
      return
    }
    const { status, body } = toErrorAnswer(err)
    if (status >= 500) onInternal(err)
    res.status(status).json(body)
  }
}

function toErrorAnswer(err: unknown): { status: number; body: ErrorBody } {
  if (isSessionLabError(err)) {
    return answer(statusOf[err.code] ?? 500, err.code, err.message)
  }
  const e = err as { type?: unknown; status?: unknown; message?: unknown }
  // body-parser sets `type`; the router answers a malformed %-escape with status 400
  switch (e.type) {
    case 'entity.too.large':
      return answer(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large')
    case 'entity.parse.failed':
      return answer(400, 'BAD_REQUEST', 'the request body is not valid JSON')
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return answer(415, 'UNSUPPORTED_MEDIA_TYPE', String(e.message))
  }
  if (err instanceof URIError || e.status === 400) {
    return answer(400, 'BAD_REQUEST', 'the URL is not validly percent-encoded')
  }
  return answer(500, 'INTERNAL', 'the broker failed to answer; see its log')
}

function answer(status: number, code: ErrorCode, reason: string) {
  return { status, body: { error: { code, reason } } }
}
