import type { DashboardViewRecord } from '../../broker/store/types.ts'
import { isLiveChange, type LiveChange } from '../shared/messages.ts'
import type { ViewState } from '../shared/ui.ts'
import { parseViewState } from './cookie.ts'

/** What a persistent view keeps across a restart (its open pages are not kept: none survive). */
export interface KeptView {
  state: ViewState
  missed: LiveChange[]
  missedDropped: number
  lastSeen: number
}

/** The version of `data` below; a record of another version is not read. */
const FORMAT = 1

/** A view as the session store keeps it: `data` is JSON the store never reads. */
export function encodeView(id: string, view: KeptView): DashboardViewRecord {
  const data = { v: FORMAT, state: view.state, missed: view.missed, dropped: view.missedDropped }
  return { id, lastSeen: view.lastSeen, data: JSON.stringify(data) }
}

/**
 * A view read back from the store, parsed as untrusted (an older or damaged
 * record is not a view: null), and held to `maxMissed` as when it was kept.
 */
export function decodeView(record: DashboardViewRecord, maxMissed: number): KeptView | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(record.data)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const { v, state, missed, dropped } = parsed as Record<string, unknown>
  const viewState = parseViewState(state)
  if (v !== FORMAT || viewState === null || !Array.isArray(missed)) return null
  if (typeof dropped !== 'number' || !Number.isInteger(dropped) || dropped < 0) return null
  const changes = missed.filter(isLiveChange)
  const kept = changes.slice(-maxMissed)
  return {
    state: viewState,
    missed: kept,
    missedDropped: dropped + (missed.length - kept.length),
    lastSeen: record.lastSeen,
  }
}

/** Bytes a record takes in the store: its id, its JSON and an 8-byte time. */
export function recordBytes(record: DashboardViewRecord): number {
  return Buffer.byteLength(record.id, 'utf8') + Buffer.byteLength(record.data, 'utf8') + 8
}
