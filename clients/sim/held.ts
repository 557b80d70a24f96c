import { errorMessage } from '../../broker/coded-error.ts'
import type { SessionView } from '../../broker/inspector/types.ts'

/** Reads how many bytes a broker holds for sessions, from SessionLab's HTTP API. */
export interface HeldBytesProbe {
  api: string
  /** Sum of the queued bytes of these sessions; a session the broker does not hold counts 0. */
  bytesHeld(clientIds: string[]): Promise<number>
}

const TIMEOUT_MS = 2000
const PARALLEL = 8

/**
 * Checks that `GET /api/sessions` answers at `api` (e.g. `http://127.0.0.1:8080`).
 * Resolves with a probe, or with why there is none: the column is then left out.
 */
export async function probeSessionApi(
  api: string,
): Promise<HeldBytesProbe | { unavailable: string }> {
  const base = api.replace(/\/+$/, '')
  try {
    const res = await fetch(`${base}/api/sessions?limit=1`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    const body: unknown = await res.json().catch(() => null)
    if (!res.ok || !isObject(body) || !Array.isArray(body.sessions)) {
      return { unavailable: `${base}/api/sessions answered ${res.status} without a session list` }
    }
  } catch (err) {
    return { unavailable: `${base}/api/sessions: ${errorMessage(err)}` }
  }
  return { api: base, bytesHeld: (ids) => sumQueuedBytes(base, ids) }
}

async function sumQueuedBytes(base: string, clientIds: string[]): Promise<number> {
  let total = 0
  for (let i = 0; i < clientIds.length; i += PARALLEL) {
    const batch = clientIds.slice(i, i + PARALLEL)
    const sizes = await Promise.all(batch.map((id) => queuedBytes(base, id)))
    total += sizes.reduce((a, b) => a + b, 0)
  }
  return total
}

/** `queue.bytes` of `GET /api/sessions/:clientId`, checked at the edge: the JSON is untrusted. */
async function queuedBytes(base: string, clientId: string): Promise<number> {
  const res = await fetch(`${base}/api/sessions/${encodeURIComponent(clientId)}`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
  if (res.status === 404) return 0
  if (!res.ok) throw new Error(`GET /api/sessions/${clientId}: ${res.status}`)
  const body: unknown = await res.json()
  const queue = isObject(body) ? (body as Partial<Record<keyof SessionView, unknown>>).queue : null
  const bytes = isObject(queue) ? queue.bytes : null
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) {
    throw new Error(`GET /api/sessions/${clientId}: no queue.bytes`)
  }
  return bytes
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
