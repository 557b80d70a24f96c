import type { SessionEvent } from '../../broker/inspector/types.ts'
import { describe } from './events.ts'

/** Events in a row that say the same thing: shown as one line, "34 × delivered plant/temp". */
export interface HistoryGroup {
  type: SessionEvent['type']
  /** What each of them says, without the parts that differ (a queued message's size). */
  what: string
  /** Newest first, as the group is shown. */
  events: SessionEvent[]
  /** The newest event's time and the oldest's, ms since the epoch. */
  last: number
  first: number
}

/**
 * A session's history (oldest first, as the inspector keeps it) newest
 * first, with each run of events that say the same thing made one group:
 * a device sending 34 readings is one line, not 34, and what happened
 * between two runs keeps its place. Each event stays in its group.
 */
export function groupHistory(history: readonly SessionEvent[]): HistoryGroup[] {
  const groups: HistoryGroup[] = []
  for (let i = history.length - 1; i >= 0; i--) {
    const event = history[i]
    const what = sameAs(event)
    const last = groups.at(-1)
    if (last !== undefined && last.type === event.type && last.what === what) {
      last.events.push(event)
      last.first = event.at
    } else {
      groups.push({ type: event.type, what, events: [event], last: event.at, first: event.at })
    }
  }
  return groups
}

/** The line for a group: the event itself when alone, else how many and what they share. */
export function groupLine(group: HistoryGroup): string {
  return group.events.length === 1
    ? describe(group.events[0])
    : `${group.events.length} × ${group.what}`
}

/** What makes two events the same for grouping: a message's topic and QoS, not its size. */
function sameAs(event: SessionEvent): string {
  switch (event.type) {
    case 'queued':
      return `queued ${event.topic} (QoS ${event.qos})`
    case 'dropped':
      return `dropped ${event.topic} (${event.why})`
    case 'will':
      return `Will published to ${event.topic}`
    default:
      return describe(event)
  }
}
