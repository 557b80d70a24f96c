import { readFileSync } from 'node:fs'
import type { SessionInspector, SessionView } from '../../broker/inspector/types.ts'
import type { SimReport } from '../../clients/sim/summary.ts'
import type { CompareFigures, ModelFigures } from '../shared/ui.ts'

/** Sessions read in full per compare request; the figures are their means. */
const SAMPLE = 50

/** Bytes a broker holds for a session: its record and subscriptions as JSON, plus queued payload. */
export function sessionBytes(view: SessionView): number {
  const { history: _history, ...record } = view
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + view.queue.bytes
}

export async function measureMqtt(inspector: SessionInspector) {
  const page = await inspector.list({ limit: SAMPLE })
  const views = (await Promise.all(page.sessions.map((s) => inspector.get(s.clientId)))).filter(
    (v): v is SessionView => v !== null,
  )
  const of = (clean: boolean): ModelFigures => {
    const mine = views.filter((v) => v.clean === clean)
    return {
      online: mine.filter((v) => v.connected).length,
      offline: mine.filter((v) => !v.connected).length,
      serverBytesPerSession: mean(mine.map(sessionBytes)),
      clientBytes: null,
    }
  }
  return { persistent: of(false), clean: of(true), sampled: views.length }
}

export function readSimReport(path: string): CompareFigures['simReport'] {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (!isSimReport(parsed)) return { path, missing: 'the file is not a fleet simulation report' }
    return { path, report: parsed }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return { path, missing: code === 'ENOENT' ? 'no simulation has been saved there' : String(err) }
  }
}

function isSimReport(value: unknown): value is SimReport {
  if (typeof value !== 'object' || value === null) return false
  const { strategies, devices, seed } = value as Record<string, unknown>
  return Array.isArray(strategies) && typeof devices === 'number' && typeof seed === 'number'
}

function mean(values: number[]): number | null {
  if (values.length === 0) return null
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length)
}
