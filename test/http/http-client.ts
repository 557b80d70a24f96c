import type { BrokerHandle } from '../../broker/broker.ts'
import type { ErrorCode } from '../../broker/errors.ts'

/** An answer of the broker's HTTP API, its body parsed when it is JSON. */
export interface Answer<T = unknown> {
  status: number
  headers: Headers
  body: T
  text: string
}

/** The error body every failed call carries. */
export interface ErrorAnswer {
  error: { code: ErrorCode; reason: string }
}

/**
 * Calls the broker's HTTP API over real HTTP. `token: true` sends the
 * broker's own operator token; a string sends that one.
 */
export async function call<T = unknown>(
  broker: BrokerHandle,
  path: string,
  options: {
    method?: string
    token?: string | true
    headers?: Record<string, string>
    body?: string
  } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) {
    const token = options.token === true ? broker.adminToken.token : options.token
    headers.authorization = `Bearer ${token}`
  }
  const res = await fetch(`${broker.urls.http}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
  })
  const text = await res.text()
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json')
  return {
    status: res.status,
    headers: res.headers,
    body: (json ? JSON.parse(text) : text) as T,
    text,
  }
}

/** `/api/sessions/<id>` with the ClientID percent-encoded as one path segment. */
export function sessionPath(clientId: string, suffix = ''): string {
  return `/api/sessions/${encodeURIComponent(clientId)}${suffix}`
}
