import { expect } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { SessionEvent } from '../../broker/inspector/types.ts'

export type DroppedEvent = Extract<SessionEvent, { type: 'dropped' }> & { clientId: string }

/** Every `dropped` event the broker's policies report from now on (still passed on to the inspector). */
export function recordDrops(broker: BrokerHandle): DroppedEvent[] {
  const drops: DroppedEvent[] = []
  const inspector = broker.policies.sink
  broker.policies.sink = {
    record(clientId, event) {
      if (event.type === 'dropped') drops.push({ clientId, ...event })
      inspector.record(clientId, event)
    },
  }
  return drops
}

/** What a drop report says, without its time. */
export function dropped(clientId: string, topic: string, bytes: number, why: DroppedEvent['why']) {
  return { clientId, type: 'dropped', topic, bytes, why, at: expect.any(Number) }
}
