import { readFileSync } from 'node:fs'
import { errorMessage } from '../coded-error.ts'
import type { Config } from '../config.ts'
import { SessionLabError } from '../errors.ts'
import { type Access, type Acl, aclAllows, type Identity, parseAcl } from './acl.ts'
import { checkPassword, type PasswordTable, parsePasswordFile } from './passwords.ts'

export type AuthConfig = Pick<Config, 'passwordFile' | 'aclFile' | 'allowAnonymous' | 'host'>

/** CONNACK return codes of a refused login [MQTT-3.2.2-3]. */
export type LoginRefusal = 4 | 5

interface Files {
  passwords: PasswordTable | null
  acl: Acl | null
}

/** What the auth layer has counted since start. */
export interface AuthCounts {
  /** PUBLISHes the ACL refused: acknowledged as usual, delivered to nobody. */
  deniedPublishes: number
  /** Topic filters refused with SUBACK 0x80 (ACL, topic length or the subscription limit). */
  deniedSubscriptions: number
  /** CONNECTs refused for their credentials or for another user's ClientID. */
  refusedConnects: number
}

/**
 * The password file and ACL in force, and the decisions made from them.
 * `reload()` swaps both at once, or neither.
 */
export class Auth {
  readonly counts: AuthCounts = { deniedPublishes: 0, deniedSubscriptions: 0, refusedConnects: 0 }
  readonly allowAnonymous: boolean
  readonly #config: AuthConfig
  readonly #read: (path: string) => string
  #files: Files

  constructor(config: AuthConfig, read: (path: string) => string = (p) => readFileSync(p, 'utf8')) {
    this.#config = config
    this.#read = read
    this.allowAnonymous =
      config.allowAnonymous === 'auto' ? isLoopback(config.host) : config.allowAnonymous === 'true'
    this.#files = this.#load()
  }

  /** Whether usernames are checked against a password file (and sessions owned by users). */
  get authenticates(): boolean {
    return this.#files.passwords !== null
  }

  /** Whether an ACL file is in force. */
  get authorizes(): boolean {
    return this.#files.acl !== null
  }

  /**
   * Reads both files again. On any error the files in force stay, and the
   * error (AUTH_FILE_INVALID) is thrown for the caller to log.
   */
  reload(): void {
    this.#files = this.#load()
  }

  /**
   * null when the login is accepted. 0x05 "not authorized" when no username
   * is given and anonymous clients are refused; 0x04 "bad user name or
   * password" for an unknown user or a wrong password [MQTT-3.1.3-10, 11].
   */
  async login(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<LoginRefusal | null> {
    if (username === undefined) return this.allowAnonymous ? null : 5
    const passwords = this.#files.passwords
    if (passwords === null) return null
    if (password === undefined) return 4
    return (await checkPassword(passwords, username, password)) ? null : 4
  }

  /** Whether the ACL lets `who` write, read or subscribe to `topic`; always without an ACL. */
  allows(who: Identity, access: Access, topic: string): boolean {
    const acl = this.#files.acl
    return acl === null || aclAllows(acl, who, access, topic)
  }

  #load(): Files {
    const { passwordFile, aclFile } = this.#config
    return {
      passwords: passwordFile ? this.#parse(passwordFile, parsePasswordFile) : null,
      acl: aclFile ? this.#parse(aclFile, parseAcl) : null,
    }
  }

  #parse<T>(file: string, parse: (text: string, file: string) => T): T {
    const text = this.#readFile(file)
    try {
      return parse(text, file)
    } catch (err) {
      throw invalid(errorMessage(err), err)
    }
  }

  #readFile(file: string): string {
    try {
      return this.#read(file)
    } catch (err) {
      throw invalid(`${file}: ${errorMessage(err)}`, err)
    }
  }
}

function invalid(message: string, cause: unknown): SessionLabError {
  return new SessionLabError('AUTH_FILE_INVALID', message, { cause })
}

/** Whether an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
