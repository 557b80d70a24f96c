import { CodedError } from './coded-error.ts'

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
  REDIS_UNREACHABLE: 'the Redis server of the session store or cluster cannot be reached',
  LISTEN_FAILED: 'a listener could not be opened',
  ADMIN_TOKEN_UNREADABLE: 'the stored admin token cannot be read',
  AUTH_FILE_INVALID: 'the password file or ACL file cannot be read or parsed',
  TLS_FILE_INVALID: 'a TLS certificate, key or CA file cannot be read or parsed',
  BROKER_ID_IN_USE: 'another live node of the cluster has this broker id',
  // HTTP API (status codes in broker/http/errors.ts)
  BAD_REQUEST: 'the request is malformed',
  BAD_CURSOR: 'the page cursor is not one this broker issued',
  BAD_TOPIC: "the publish's topic is missing, not a topic name or over a limit",
  BAD_PAYLOAD: "the publish's payload is not a string or makes the packet too large",
  BAD_QOS: "the publish's qos is not 0, 1 or 2",
  BAD_RETAIN: "the publish's retain is not true or false",
  UNAUTHORIZED: 'operator credentials are missing or wrong',
  FORBIDDEN: 'the request lacks a valid CSRF token, viewer cookie or origin',
  NOT_FOUND: 'no such route or session',
  METHOD_NOT_ALLOWED: 'the route does not accept this method',
  NOT_CONNECTED: 'the client is not connected',
  PAYLOAD_TOO_LARGE: 'the request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'the request body is not JSON',
  INTERNAL: 'the broker failed to answer',
} as const

export type ErrorCode = keyof typeof ErrorCodes

/** An error with a stable `code` from {@link ErrorCodes}. */
export class SessionLabError extends CodedError<ErrorCode> {
  override name = 'SessionLabError'
}

export function isSessionLabError(err: unknown): err is SessionLabError {
  return err instanceof SessionLabError
}
