import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { httpError } from './errors.ts'

/**
 * Requires `Authorization: Bearer <token>` with the operator token. The
 * comparison runs over SHA-256 digests in constant time, so neither the
 * content nor the length of the token leaks through timing.
 */
export function requireOperator(token: string): RequestHandler {
  const expected = digest(token)
  return (req, res, next) => {
    const header = req.get('authorization')
    const match = header === undefined ? null : /^Bearer +(.+?) *$/i.exec(header)
    const given = match?.[1]
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="sessionlab"')
      throw httpError(
        'UNAUTHORIZED',
        given === undefined
          ? 'this call needs the operator token: Authorization: Bearer <token>'
          : 'the operator token is wrong',
      )
    }
    next()
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
