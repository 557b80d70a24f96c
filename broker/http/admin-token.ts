import { randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { errorMessage } from '../coded-error.ts'
import { SessionLabError } from '../errors.ts'

/** The operator token and where it came from, for the start-up banner. */
export interface AdminToken {
  token: string
  /**
   * `config`: from --admin-token; `created`: generated now and saved in
   * `path`; `stored`: read from `path`, saved by an earlier run; `ephemeral`:
   * generated for this run only, the data dir being unwritable.
   */
  source: 'config' | 'created' | 'stored' | 'ephemeral'
  path: string | null
}

export const ADMIN_TOKEN_FILE = 'admin-token'

/**
 * The token state-changing API calls need: the configured one, else the one
 * stored in `<dataDir>/admin-token` (mode 0600), else a new random one saved
 * there for the next runs. When the data dir cannot be written (possible with
 * `--store memory`), the new token lives for this run only.
 */
export function resolveAdminToken(
  config: { adminToken: string; dataDir: string },
  warn: (message: string) => void,
): AdminToken {
  if (config.adminToken !== '') return { token: config.adminToken, source: 'config', path: null }
  const path = join(config.dataDir, ADMIN_TOKEN_FILE)
  const stored = readStored(path, warn)
  if (stored !== null) return { token: stored, source: 'stored', path }

  const token = randomBytes(32).toString('base64url')
  try {
    mkdirSync(config.dataDir, { recursive: true })
    const raced = saveExclusive(path, token)
    if (raced !== null) return { token: raced, source: 'stored', path }
    return { token, source: 'created', path }
  } catch (err) {
    warn(`cannot save the admin token in ${path} (${code(err)}): it lasts for this run only`)
    return { token, source: 'ephemeral', path: null }
  }
}

/** The stored token, null when there is none (or the file is empty). */
function readStored(path: string, warn: (message: string) => void): string | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    // ENOTDIR: the data dir is not there either (a file stands in its path)
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return null
    throw new SessionLabError('ADMIN_TOKEN_UNREADABLE', `${path}: ${code(err)}`, { cause: err })
  }
  const token = text.trim()
  if (token === '') return null
  if ((statSync(path).mode & 0o077) !== 0) {
    warn(`${path} can be read by other users; chmod 600 it`)
  }
  return token
}

/**
 * Writes the token to a private temporary file, then links it into place:
 * the file appears whole or not at all, and never replaces one that another
 * process saved meanwhile (whose token is returned instead).
 */
function saveExclusive(path: string, token: string): string | null {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(temp, `${token}\n`, { mode: 0o600, flush: true })
  try {
    linkSync(temp, path)
    return null
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err
    const theirs = readFileSync(path, 'utf8').trim()
    if (theirs === '') throw err
    return theirs
  } finally {
    unlinkSync(temp)
  }
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? errorMessage(err)
}

/** The start-up banner's text for the token: the token itself only when this run made it. */
export function describeAdminToken(admin: AdminToken): string {
  switch (admin.source) {
    case 'config':
      return '(as configured by --admin-token)'
    case 'created':
      return `${admin.token} (new, saved in ${admin.path})`
    case 'stored':
      return `in ${admin.path}`
    case 'ephemeral':
      return `${admin.token} (for this run only: the data dir cannot be written)`
  }
}
