import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const COOKIE_SECRET_FILE = 'cookie-secret'

/**
 * The key viewer cookies and CSRF tokens are signed with: the configured
 * one, else `<dataDir>/cookie-secret` (generated once, mode 0600), else one
 * for this run only when the data dir cannot be written (cookies then end
 * with the process, as a clean session does).
 */
export function resolveCookieSecret(
  configured: string | undefined,
  dataDir: string,
  warn: (message: string) => void,
): Buffer {
  if (configured !== undefined && configured !== '') return Buffer.from(configured, 'utf8')
  const path = join(dataDir, COOKIE_SECRET_FILE)
  try {
    const stored = readFileSync(path, 'utf8').trim()
    if (stored !== '') return Buffer.from(stored, 'base64url')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`cannot read ${path}: ${err}`)
  }
  const secret = randomBytes(32)
  try {
    mkdirSync(dataDir, { recursive: true })
    // 'wx': never replace a secret another process saved meanwhile
    writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url')
    }
    warn(`cannot save the cookie secret in ${path}: viewer cookies last for this run only`)
    return secret
  }
}
