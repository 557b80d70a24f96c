import { CodedError } from '../broker/coded-error.ts'

/**
 * Every error the client tools raise on purpose carries a stable code from
 * this catalogue; the CLI prints `message [CODE]` and tests branch on the code.
 */
export const ClientErrorCodes = {
  USAGE: 'the command line cannot be run',
  SCENARIO_UNREADABLE: 'a scenario file cannot be read',
  SCENARIO_INVALID: 'a scenario file does not follow the scenario format',
  BROKER_URL_INVALID: 'a broker URL is not mqtt:// or ws://',
  CONNECT_FAILED: 'the broker could not be reached',
  TIMEOUT: 'an awaited packet or condition did not come in time',
  CONNECTION_CLOSED: 'the connection closed while a packet was awaited',
  NOT_CONNECTED: 'a step used a client that has no open connection',
  CLIENT_STILL_CONNECTED: 'a step connected a client whose earlier connection is still open',
  CONNECT_REFUSED: 'the broker refused a connection the tool needs',
  REPORT_UNWRITABLE: 'a report file cannot be written',
} as const

export type ClientErrorCode = keyof typeof ClientErrorCodes

/** An error with a stable `code` from {@link ClientErrorCodes}. */
export class ClientError extends CodedError<ClientErrorCode> {
  override name = 'ClientError'
}

export function isClientError(err: unknown): err is ClientError {
  return err instanceof ClientError
}
