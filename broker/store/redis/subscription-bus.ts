import { randomUUID } from 'node:crypto'
import type { StoreBroker } from '../types.ts'

/** Where stores announce that a client's subscriptions changed. */
export const SUBSCRIPTIONS_TOPIC = '$SYS/sessionlab/subscriptions'

interface BusPacket {
  topic: string
  payload: Buffer | string
}

type Done = (err?: Error | null) => void
type Listener = (packet: BusPacket, done: Done) => void

/** What the bus needs of the broker given to `setup`: aedes' publish/subscribe. */
interface PubSubBroker {
  publish(packet: object, done: Done): void
  subscribe(topic: string, listener: Listener, done: Done): void
  unsubscribe(topic: string, listener: Listener, done: Done): void
}

/** aedes has these; the bare object that unit tests pass to `setup` has none. */
function hasPubSub(broker: StoreBroker): broker is StoreBroker & PubSubBroker {
  return (
    typeof broker.publish === 'function' &&
    typeof broker.subscribe === 'function' &&
    typeof broker.unsubscribe === 'function'
  )
}

interface Notice {
  prefix: string
  origin: string
  clientId: string
}

/**
 * Tells the other brokers of a cluster that a client's subscriptions changed,
 * through the broker's own message bus (mqemitter-redis in a cluster), as
 * aedes-persistence's BroadcastPersistence does. A notice carries only the
 * ClientID: the receiver reloads that client's subscriptions from Redis, so
 * notices that arrive late or out of order still leave it with the truth.
 */
export class SubscriptionBus {
  readonly #broker: PubSubBroker
  readonly #prefix: string
  readonly #origin = randomUUID()
  readonly #listener: Listener

  private constructor(broker: PubSubBroker, prefix: string, changed: (clientId: string) => void) {
    this.#broker = broker
    this.#prefix = prefix
    this.#listener = (packet, done) => {
      const notice = parseNotice(packet.payload)
      if (notice && notice.prefix === this.#prefix && notice.origin !== this.#origin) {
        changed(notice.clientId)
      }
      done()
    }
  }

  /** A bus over the broker's publish/subscribe; undefined when it has none (unit tests). */
  static over(
    broker: StoreBroker,
    prefix: string,
    changed: (clientId: string) => void,
  ): SubscriptionBus | undefined {
    return hasPubSub(broker) ? new SubscriptionBus(broker, prefix, changed) : undefined
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#broker.subscribe(SUBSCRIPTIONS_TOPIC, this.#listener, (err) =>
        err ? reject(err) : resolve(),
      )
    })
  }

  /** Resolves once the broker's bus took the notice. */
  announce(clientId: string): Promise<void> {
    const notice: Notice = { prefix: this.#prefix, origin: this.#origin, clientId }
    const packet = {
      cmd: 'publish',
      topic: SUBSCRIPTIONS_TOPIC,
      payload: Buffer.from(JSON.stringify(notice)),
      qos: 0,
      retain: false,
      dup: false,
    }
    return new Promise((resolve, reject) => {
      this.#broker.publish(packet, (err) => (err ? reject(err) : resolve()))
    })
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#broker.unsubscribe(SUBSCRIPTIONS_TOPIC, this.#listener, () => resolve())
    })
  }
}

/** The notice in a payload, or null when it is not one. */
function parseNotice(payload: Buffer | string): Notice | null {
  let value: unknown
  try {
    value = JSON.parse(String(payload))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { prefix, origin, clientId } = value as Record<string, unknown>
  if (typeof prefix !== 'string' || typeof origin !== 'string' || typeof clientId !== 'string') {
    return null
  }
  return { prefix, origin, clientId }
}
