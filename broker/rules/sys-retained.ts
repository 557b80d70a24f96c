import { Readable } from 'node:stream'
import { hasWildcard, topicMatcher } from '../store/topics.ts'
import type { StoredPacket } from '../store/types.ts'

/** A topic under `$SYS/`, which only the broker publishes (broker/rules/publish.ts). */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith('$SYS/')
}

/**
 * The retained `$SYS/` messages, kept in memory and not in the store, as
 * Mosquitto keeps them: they describe this process (its uptime, its bytes),
 * every start publishes them afresh, and a store would serve the last run's
 * values, rewrite them each `--sys-interval`, and count them as the clients'
 * retained messages. No wildcard in the first level matches a topic starting
 * with `$` [MQTT-4.7.2-1], so only a filter whose first level is `$SYS` reaches
 * these: such filters are answered from here, every other one from the store.
 */
export class SysRetained {
  readonly #messages = new Map<string, StoredPacket>()

  get count(): number {
    return this.#messages.size
  }

  /** A zero-length payload removes the topic's retained message [MQTT-3.3.1-10]. */
  store(packet: StoredPacket): void {
    if (packet.payload.length === 0) this.#messages.delete(packet.topic)
    else this.#messages.set(packet.topic, { ...packet })
  }

  /**
   * The retained messages for `patterns`: those of `$SYS/` filters from
   * memory, the others' from `fromStore` (not called when every filter is
   * a `$SYS/` one).
   */
  stream(patterns: string[], fromStore: (patterns: string[]) => Readable): Readable {
    const sys = patterns.filter(isSysTopic)
    if (sys.length === 0) return fromStore(patterns)
    const own = this.#matching(sys)
    // `$SYS/#` also matches the bare topic `$SYS` [MQTT-4.7.1-2], which a client may retain
    const others = patterns.filter((p) => !isSysTopic(p))
    if (sys.includes('$SYS/#')) others.push('$SYS')
    if (others.length === 0) return Readable.from(own)
    return Readable.from(concat(own, fromStore(others)))
  }

  #matching(patterns: string[]): StoredPacket[] {
    const found: StoredPacket[] = []
    for (const pattern of patterns) {
      if (!hasWildcard(pattern)) {
        const packet = this.#messages.get(pattern)
        if (packet) found.push({ ...packet })
        continue
      }
      const matches = topicMatcher(pattern)
      for (const [topic, packet] of this.#messages) if (matches(topic)) found.push({ ...packet })
    }
    return found
  }
}

async function* concat(first: StoredPacket[], then: Readable): AsyncGenerator<StoredPacket> {
  yield* first
  for await (const packet of then) yield packet as StoredPacket
}
