/**
 * The one shape of an error raised on purpose, shared by the broker, the
 * client tools and the bench: a stable `code` to branch on, and a message for
 * people. Each side keeps its own catalogue of codes: `ErrorCodes` in
 * broker/errors.ts, `ClientErrorCodes` in clients/errors.ts.
 */
export class CodedError<C extends string> extends Error {
  readonly code: C

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** The message of anything thrown, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
