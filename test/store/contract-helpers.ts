import type { Readable } from 'node:stream'
import type {
  OutgoingPacket,
  SessionStore,
  StoreBroker,
  StoredPacket,
} from '../../broker/store/types.ts'

/**
 * Opens a fresh, set-up store; `close` destroys it and removes its files.
 * `now`, when given, is the store's clock.
 */
export type OpenStore = (options?: {
  now?: () => number
}) => Promise<{ store: SessionStore; close: () => Promise<void> }>

export const BROKER_ID = 'broker-1'

export function testBroker(): StoreBroker {
  return { id: BROKER_ID, counter: 0 }
}

/** A QoS `qos` PUBLISH as aedes queues it: origin broker and counter set. */
export function publish(brokerCounter: number, qos: 1 | 2 = 1): StoredPacket {
  return {
    cmd: 'publish',
    topic: 'sensors/temp',
    payload: Buffer.from(`message ${brokerCounter}`),
    qos,
    retain: false,
    dup: false,
    brokerId: BROKER_ID,
    brokerCounter,
  }
}

/** Queues `count` messages numbered from `first` for the client. */
export async function enqueueMany(
  store: SessionStore,
  clientId: string,
  first: number,
  count: number,
): Promise<void> {
  const writes: Promise<void>[] = []
  for (let counter = first; counter < first + count; counter++) {
    writes.push(store.outgoingEnqueueCombi([{ clientId }], publish(counter)))
  }
  await Promise.all(writes)
}

/** Marks a queued message as sent with `messageId`, as aedes does before writing it. */
export function markSent(
  store: SessionStore,
  clientId: string,
  brokerCounter: number,
  messageId: number,
): Promise<void> {
  return store.outgoingUpdate({ id: clientId }, { ...publish(brokerCounter), messageId })
}

export async function drain<T = OutgoingPacket>(stream: Readable): Promise<T[]> {
  const items: T[] = []
  for await (const item of stream) items.push(item as T)
  return items
}

/** What identifies each queue entry, to compare queues in one line. */
export function describeQueue(queue: OutgoingPacket[]): string[] {
  return queue.map((entry) =>
    entry.cmd === 'pubrel'
      ? `pubrel#${entry.messageId}`
      : `publish:${entry.brokerCounter}${entry.messageId == null ? '' : `#${entry.messageId}`}`,
  )
}
