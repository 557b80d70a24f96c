import { SubscriptionTrie } from './topics.ts'
import type { StoredSubscription, TopicSubscription } from './types.ts'

/**
 * The QoS 0 subscriptions of persistent sessions, matched in memory. aedes'
 * stores index only QoS 1/2 subscriptions (only those get queued messages);
 * queueing QoS 0 for offline sessions (`--queue-qos0`) needs the rest.
 */
export class Qos0Index {
  readonly #trie = new SubscriptionTrie()
  /** clientId -> its QoS 0 filters, to drop them all with the session */
  readonly #filters = new Map<string, Set<string>>()

  /** QoS 0 subscriptions held, over every client. */
  get count(): number {
    return this.#trie.count
  }

  /** Subscriptions were made or changed: QoS 0 ones join, upgraded ones leave. */
  add(clientId: string, subs: readonly StoredSubscription[]): void {
    for (const sub of subs) {
      if (sub.qos === 0) {
        this.#trie.add(clientId, sub)
        let filters = this.#filters.get(clientId)
        if (!filters) {
          filters = new Set()
          this.#filters.set(clientId, filters)
        }
        filters.add(sub.topic)
      } else this.remove(clientId, [sub.topic])
    }
  }

  remove(clientId: string, topics: readonly string[]): void {
    const filters = this.#filters.get(clientId)
    if (!filters) return
    for (const topic of topics) {
      if (filters.delete(topic)) this.#trie.remove(clientId, topic)
    }
    if (filters.size === 0) this.#filters.delete(clientId)
  }

  clean(clientId: string): void {
    const filters = this.#filters.get(clientId)
    if (!filters) return
    for (const topic of filters) this.#trie.remove(clientId, topic)
    this.#filters.delete(clientId)
  }

  match(topic: string): TopicSubscription[] {
    return this.#trie.match(topic)
  }
}
