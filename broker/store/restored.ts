import type { SessionStore } from './types.ts'

/** What a store held when the broker started: the start-up report (broker/main.ts). */
export interface Restored {
  store: SessionStore['kind']
  sessions: number
  retained: number
  /** Absent where the store keeps no totals (redis: they would take a walk of every session). */
  queue?: { queued: number; inflight: number }
}

/**
 * Counts what the store brought back, from its counters and indexes only
 * (nothing is walked): null for the memory store, which starts empty.
 */
export async function countRestored(store: SessionStore): Promise<Restored | null> {
  if (store.kind === 'memory') return null
  const [sessions, retained, queue] = await Promise.all([
    store.countSessions(),
    store.countRetained(),
    store.queueTotals?.(),
  ])
  return { store: store.kind, sessions, retained, ...(queue ? { queue } : {}) }
}

/**
 * One line: `restored 12 sessions (240 queued messages, 3 unacknowledged),
 * 1 retained message`. On Redis the sessions are the cluster's, not restored
 * by this node alone: `the shared store holds ...`.
 */
export function describeRestored(restored: Restored): string {
  const { sessions, retained, queue } = restored
  const held =
    queue && (queue.queued > 0 || queue.inflight > 0)
      ? ` (${count(queue.queued, 'queued message')}, ${queue.inflight} unacknowledged)`
      : ''
  const what = `${count(sessions, 'session')}${held}, ${count(retained, 'retained message')}`
  return restored.store === 'redis' ? `the shared store holds ${what}` : `restored ${what}`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
