import { Qos0Index } from '../qos0-index.ts'
import { SubscriptionTrie } from '../topics.ts'
import type { StoredSubscription, TopicSubscription } from '../types.ts'

/**
 * This process's copy of every client's subscriptions, for matching without
 * a round trip: QoS 1/2 ones in the trie `subscriptionsByTopic` answers from,
 * QoS 0 ones in the index of `qos0SubscriptionsByTopic`. Redis holds the
 * truth; a client's entries are replaced whole when another broker says they
 * changed (see subscription-bus.ts).
 */
export class SubscriptionMirror {
  readonly #trie = new SubscriptionTrie()
  readonly #qos0 = new Qos0Index()
  /** clientId -> its filters in the trie */
  readonly #matched = new Map<string, Set<string>>()

  get count(): number {
    return this.#trie.count
  }

  /** QoS 0 subscriptions, which {@link count} (aedes' `countOffline`) leaves out. */
  get qos0Count(): number {
    return this.#qos0.count
  }

  /** Subscriptions were made or changed: the last of several to one filter wins. */
  add(clientId: string, subs: readonly StoredSubscription[]): void {
    let matched = this.#matched.get(clientId)
    for (const sub of subs) {
      if (sub.qos > 0) {
        this.#trie.add(clientId, sub)
        if (!matched) {
          matched = new Set()
          this.#matched.set(clientId, matched)
        }
        matched.add(sub.topic)
      } else if (matched?.delete(sub.topic)) this.#trie.remove(clientId, sub.topic)
    }
    if (matched?.size === 0) this.#matched.delete(clientId)
    this.#qos0.add(clientId, subs)
  }

  remove(clientId: string, topics: readonly string[]): void {
    const matched = this.#matched.get(clientId)
    for (const topic of topics) {
      if (matched?.delete(topic)) this.#trie.remove(clientId, topic)
    }
    if (matched?.size === 0) this.#matched.delete(clientId)
    this.#qos0.remove(clientId, topics)
  }

  clean(clientId: string): void {
    for (const topic of this.#matched.get(clientId) ?? []) this.#trie.remove(clientId, topic)
    this.#matched.delete(clientId)
    this.#qos0.clean(clientId)
  }

  /** The client's subscriptions are now exactly `subs`. */
  replace(clientId: string, subs: readonly StoredSubscription[]): void {
    this.clean(clientId)
    this.add(clientId, subs)
  }

  match(topic: string): TopicSubscription[] {
    return this.#trie.match(topic)
  }

  matchQos0(topic: string): TopicSubscription[] {
    return this.#qos0.match(topic)
  }
}
