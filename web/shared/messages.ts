/**
 * The live channel's messages (`/live`), one discriminated union per
 * direction, shared by the server (`web/server/live.ts`), the browser
 * (`web/client/live.ts`) and the tests. Both ends parse what they receive
 * with the functions below; nothing is cast from `JSON.parse`.
 *
 * Types only from `broker/inspector/types.ts` and `broker/metrics/history-types.ts`:
 * this module runs in browsers.
 */
import type { SessionChange, SessionEvent } from '../../broker/inspector/types.ts'
import type { MetricSample } from '../../broker/metrics/history-types.ts'

/** How a view keeps its state: the dashboard's own CleanSession flag. */
export type ViewMode = 'persistent' | 'clean'

/** A session change numbered by the server, as a view receives it. */
export interface LiveChange extends SessionChange {
  /** Increases by one per change the server saw; gaps mean changes this view skipped. */
  seq: number
}

export type ServerMessage =
  | {
      /** First message on every connection. */
      type: 'welcome'
      mode: ViewMode
      /** true when a persistent view's earlier state was found ("session present"). */
      resumed: boolean
      /** What a persistent view missed while no page of it was open (always empty for clean). */
      missed: LiveChange[]
      /** Missed changes not kept because the bound was reached. */
      missedDropped: number
    }
  | { type: 'change'; change: LiveChange }
  /** The broker's metric sample just taken (every 5 s), for the overview's charts. */
  | { type: 'metrics'; sample: MetricSample }

export type ClientMessage = { type: 'ping' }

export const LIVE_PATH = '/live'

/** Parses a message from the server; null when it is not one. */
export function parseServerMessage(text: string): ServerMessage | null {
  const value = parseJson(text)
  if (!isObject(value)) return null
  if (value.type === 'welcome') {
    const { mode, resumed, missed, missedDropped } = value
    if (mode !== 'persistent' && mode !== 'clean') return null
    if (typeof resumed !== 'boolean' || typeof missedDropped !== 'number') return null
    if (!Array.isArray(missed) || !missed.every(isLiveChange)) return null
    return { type: 'welcome', mode, resumed, missed, missedDropped }
  }
  if (value.type === 'change' && isLiveChange(value.change)) {
    return { type: 'change', change: value.change }
  }
  if (value.type === 'metrics' && isMetricSample(value.sample)) {
    return { type: 'metrics', sample: value.sample }
  }
  return null
}

/** Parses a message from a browser; null when it is not one. */
export function parseClientMessage(text: string): ClientMessage | null {
  const value = parseJson(text)
  return isObject(value) && value.type === 'ping' ? { type: 'ping' } : null
}

// the event types the dashboard knows; an unknown one is dropped at the edge
const eventTypes: ReadonlySet<string> = new Set<SessionEvent['type']>([
  'connect',
  'disconnect',
  'subscribe',
  'unsubscribe',
  'queued',
  'dropped',
  'delivered',
  'expired',
  'deleted',
  'will',
])

/** Whether a value parsed from JSON is a change as the server numbers it (the view store reads them back too). */
export function isLiveChange(value: unknown): value is LiveChange {
  if (!isObject(value)) return false
  const { seq, clientId, event } = value
  return (
    typeof seq === 'number' &&
    typeof clientId === 'string' &&
    isObject(event) &&
    typeof event.type === 'string' &&
    eventTypes.has(event.type) &&
    typeof event.at === 'number'
  )
}

const gauges = ['at', 'connections', 'online', 'offline', 'queued', 'inflight'] as const
const counters = ['received', 'sent', 'dropped'] as const
const rates = ['receivedPerSec', 'sentPerSec', 'droppedPerSec'] as const

function isMetricSample(value: unknown): value is MetricSample {
  if (!isObject(value)) return false
  const number = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
  return (
    [...gauges, ...counters].every((k) => number(value[k])) &&
    rates.every((k) => value[k] === null || number(value[k]))
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
