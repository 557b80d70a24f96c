/** JSON calls to the broker: reads of `/api/*`, and `/ui/*` calls with the CSRF token. */
let csrf = document.querySelector('meta[name="csrf"]')?.getAttribute('content') ?? ''

export function setCsrf(token: string): void {
  csrf = token
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The broker did not answer at all (stopped, restarting, network down):
 * `fetch` itself failed, as opposed to an {@link ApiError} it answered with.
 */
export class Unreachable extends Error {
  constructor() {
    super('broker unreachable')
  }
}

/** The error as one line for the page: its code and reason, never a bare `TypeError`. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`
  if (err instanceof Unreachable) return 'Broker unreachable — try again once it is back.'
  return err instanceof Error ? err.message : String(err)
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await send(path, { credentials: 'same-origin' }))
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await send(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  })
  return answer<T>(res)
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init)
  } catch {
    // fetch rejects only when no answer came (a TypeError "Failed to fetch")
    throw new Unreachable()
  }
}

async function answer<T>(res: Response): Promise<T> {
  const body = (await res.json()) as { error?: { code: string; reason: string } }
  if (!res.ok) {
    throw new ApiError(res.status, body.error?.code ?? 'HTTP', body.error?.reason ?? res.statusText)
  }
  return body as T
}
