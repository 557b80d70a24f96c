/**
 * Every error SessionLab raises on purpose has a stable code from this
 * catalogue, so callers (the CLI, the HTTP API, tests) branch on the code and
 * never on the wording.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'the configuration is invalid',
  CONFIG_FILE_UNREADABLE: 'the configuration file cannot be read',
  DATA_DIR_UNWRITABLE: 'the data directory cannot be written',
  STORE_NEWER_SCHEMA: 'the store was written by a newer SessionLab',
  STORE_CORRUPT: 'the store file is corrupt',
  STORE_IN_USE: 'the store is open in another running broker',
  STORE_CLOSED: 'the store is closed',
  LISTEN_FAILED: 'a listener could not be opened',
} as const

export type ErrorCode = keyof typeof ErrorCodes

/** An error with a stable `code` from {@link ErrorCodes}. */
export class SessionLabError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SessionLabError'
    this.code = code
  }
}

export function isSessionLabError(err: unknown): err is SessionLabError {
  return err instanceof SessionLabError
}
