import { readFileSync } from 'node:fs'
import type { SessionInspector, SessionView } from '../../broker/inspector/types.ts'
import type { SimReport } from '../../clients/sim/summary.ts'
import type { CompareFigures, ExpiryFigures, ModelFigures } from '../shared/ui.ts'
import { signViewer, type Viewer } from './cookie.ts'
import type { LiveChannel } from './live.ts'
import type { ViewStore } from './views.ts'

/** Sessions read in full per compare request; the figures are their means. */
const SAMPLE = 50

/** Bytes a broker holds for a session: its record and subscriptions as JSON, plus queued payload. */
export function sessionBytes(view: SessionView): number {
  const { history: _history, ...record } = view
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + view.queue.bytes
}

/** Bytes of the topic list a client keeps to subscribe again: its subscriptions as JSON. */
export function topicListBytes(view: SessionView): number {
  return Buffer.byteLength(JSON.stringify(view.subscriptions), 'utf8')
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
      derived: null,
    }
  }
  const clean = of(true)
  // the broker cannot tell a client that will subscribe again from one that
  // will not: both are CleanSession=1 sessions, so this column is derived
  const resubscribe: ModelFigures = {
    ...clean,
    clientBytes: mean(views.filter((v) => v.clean).map(topicListBytes)),
    derived:
      'from the CleanSession=1 sessions: the broker holds the same for them (they are counted there), and the client keeps its topic list (their subscriptions as JSON) to send again',
  }
  return {
    persistent: of(false),
    clean,
    resubscribe,
    mqtt5: measureMqtt5(views),
    sampled: views.length,
  }
}

/**
 * The MQTT 5 sessions among those sampled, by Session Expiry: what they
 * hold and cost as the columns before, the intervals they have, and the
 * first end of those offline (from the store's record of each).
 */
export function measureMqtt5(views: SessionView[]): CompareFigures['mqtt5'] {
  const of = (mine: SessionView[]): ExpiryFigures => {
    const ends = mine.flatMap((v) => (v.expiry.at === null ? [] : [v.expiry.at]))
    return {
      online: mine.filter((v) => v.connected).length,
      offline: mine.filter((v) => !v.connected).length,
      serverBytesPerSession: mean(mine.map(sessionBytes)),
      clientBytes: null,
      derived: null,
      seconds: [...new Set(mine.map((v) => v.expiry.interval ?? 0))].sort((a, b) => a - b),
      nextEndAt: ends.length === 0 ? null : Math.min(...ends),
    }
  }
  const v5 = views.filter((v) => v.expiry.interval !== null)
  return {
    expiring: of(v5.filter((v) => (v.expiry.interval ?? 0) > 0)),
    zero: of(v5.filter((v) => v.expiry.interval === 0)),
  }
}

/** Everything the compare page shows, measured now for `viewer`. */
export async function compareFigures(deps: {
  inspector: SessionInspector
  views: ViewStore
  live: LiveChannel
  viewer: Viewer
  secret: Buffer
  maxMissed: number
  /** `--view-max-age` in ms. */
  viewMaxAgeMs: number
  now: number
  simReportPath: string
}): Promise<CompareFigures> {
  const { views, viewer, secret } = deps
  const mqtt = await measureMqtt(deps.inspector)
  const persistentCookie = cookieBytes(
    { ...viewer, mode: 'persistent', state: undefined, expiresAt: deps.now + deps.viewMaxAgeMs },
    secret,
  )
  const cleanCookie = cookieBytes(
    { ...viewer, mode: 'clean', state: viewer.state ?? views.get(viewer.id)?.state },
    secret,
  )
  const counts = views.counts()
  const held = views.bytesHeld()
  const persistent = {
    online: counts.open,
    offline: counts.away,
    serverBytesPerSession: views.size === 0 ? null : Math.round(held.total / views.size),
    clientBytes: persistentCookie,
    derived: null,
  }
  const maxAge = Math.round(deps.viewMaxAgeMs / 1000)
  return {
    mqtt: { persistent: mqtt.persistent, clean: mqtt.clean, resubscribe: mqtt.resubscribe },
    mqtt5: mqtt.mqtt5,
    views: {
      persistent: {
        ...persistent,
        missedHeld: counts.missedHeld,
        missedBytes: held.missed,
        maxMissed: deps.maxMissed,
      },
      // the same views: a persistent view is a session whose cookie has a Max-Age
      maxAge: {
        ...persistent,
        seconds: [maxAge],
        nextEndAt: views.nextEnd(),
        cookie: `Max-Age=${maxAge}`,
      },
      // the server holds nothing for a clean view: 0 is what it measures
      clean: {
        online: deps.live.cleanConnections,
        offline: 0,
        serverBytesPerSession: 0,
        clientBytes: cleanCookie,
        derived: null,
      },
    },
    sampled: mqtt.sampled,
    liveConnections: deps.live.connections,
    simReport: readSimReport(deps.simReportPath),
  }
}

export function cookieBytes(viewer: Viewer, secret: Buffer): number {
  return Buffer.byteLength(signViewer(viewer, secret), 'utf8')
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
