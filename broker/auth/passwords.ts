import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

/**
 * A user's entry of a `mosquitto_passwd` file. Mosquitto 2.x writes
 * `$7$<iterations>$<salt b64>$<hash b64>` (PBKDF2-SHA512, 64-byte hash) by
 * default and `$6$<salt b64>$<hash b64>` (SHA512 over password then salt)
 * with `-H sha512`; the latter is Mosquitto's own scheme, not glibc's
 * sha512-crypt, whose `$6$` strings look alike.
 */
type PasswordHash =
  | { scheme: 'pbkdf2-sha512'; iterations: number; salt: Buffer; hash: Buffer }
  | { scheme: 'sha512'; salt: Buffer; hash: Buffer }

/** The users of a password file, by username. */
export type PasswordTable = ReadonlyMap<string, PasswordHash>

/**
 * Parses a password file. Blank lines and `#` comments are skipped, as
 * Mosquitto does; any other malformed line throws, naming its line number
 * (never its content: it holds a hash).
 */
export function parsePasswordFile(text: string, file: string): PasswordTable {
  const users = new Map<string, PasswordHash>()
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const at = `${file}:${index + 1}`
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`${at}: expected user:hash`)
    const user = line.slice(0, colon)
    users.set(user, parseHash(line.slice(colon + 1), at))
  }
  return users
}

function parseHash(text: string, at: string): PasswordHash {
  const parts = text.split('$')
  if (parts[0] !== '') throw new Error(`${at}: unhashed password (run mosquitto_passwd -U on it)`)
  if (parts[1] === '7' && parts.length === 5) {
    const iterations = Number(parts[2])
    if (!Number.isInteger(iterations) || iterations < 1) {
      throw new Error(`${at}: bad $7$ iteration count`)
    }
    return {
      scheme: 'pbkdf2-sha512',
      iterations,
      salt: base64(parts[3], at),
      hash: base64(parts[4], at),
    }
  }
  if (parts[1] === '6' && parts.length === 4) {
    return { scheme: 'sha512', salt: base64(parts[2], at), hash: base64(parts[3], at) }
  }
  throw new Error(`${at}: unknown hash format (expected $7$ or $6$ from mosquitto_passwd)`)
}

function base64(text: string | undefined, at: string): Buffer {
  if (!text || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error(`${at}: bad base64`)
  return Buffer.from(text, 'base64')
}

/**
 * Whether `password` is the user's; false for unknown users. PBKDF2 runs on
 * libuv's pool, so a slow hash never stalls other connections.
 */
export async function checkPassword(
  table: PasswordTable,
  user: string,
  password: Buffer,
): Promise<boolean> {
  const entry = table.get(user)
  if (!entry) return false
  const computed =
    entry.scheme === 'pbkdf2-sha512'
      ? await pbkdf2Async(password, entry.salt, entry.iterations, entry.hash.length, 'sha512')
      : createHash('sha512').update(password).update(entry.salt).digest()
  return computed.length === entry.hash.length && timingSafeEqual(computed, entry.hash)
}
