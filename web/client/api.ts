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

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { credentials: 'same-origin' }))
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  })
  return answer<T>(res)
}

async function answer<T>(res: Response): Promise<T> {
  const body = (await res.json()) as { error?: { code: string; reason: string } }
  if (!res.ok) {
    throw new ApiError(res.status, body.error?.code ?? 'HTTP', body.error?.reason ?? res.statusText)
  }
  return body as T
}
