import type { QoS, StoredSubscription, TopicSubscription } from './types.ts'

/** What a filter keeps of one client's subscription to it. */
interface Holder {
  readonly clientId: string
  readonly qos: QoS
  readonly rh: number | undefined
  readonly rap: boolean | undefined
  readonly nl: boolean | undefined
}

/**
 * Subscriptions to filters without wildcards, keyed by the filter: such a
 * filter matches only the topic equal to it [MQTT-4.7.1], so one hash
 * lookup finds its subscribers. A trie gives every level of every filter
 * its own Map (about 1 KiB for a per-device filter such as `dev/42/cmd`);
 * here a filter costs one entry. Most such filters have one subscriber,
 * kept without a Map of its own.
 */
export class ExactFilters {
  readonly #byFilter = new Map<string, Holder | Map<string, Holder>>()
  #count = 0

  /** (filter, client) pairs held. */
  get count(): number {
    return this.#count
  }

  /** Adds or replaces the client's subscription; a replaced one keeps its place in `match`'s order. */
  add(clientId: string, sub: StoredSubscription): void {
    const { topic, qos, rh, rap, nl } = sub
    const holder: Holder = { clientId, qos, rh, rap, nl }
    const held = this.#byFilter.get(topic)
    if (held === undefined) {
      this.#byFilter.set(topic, holder)
      this.#count++
    } else if (held instanceof Map) {
      if (!held.has(clientId)) this.#count++
      held.set(clientId, holder)
    } else if (held.clientId === clientId) {
      this.#byFilter.set(topic, holder)
    } else {
      this.#byFilter.set(
        topic,
        new Map([
          [held.clientId, held],
          [clientId, holder],
        ]),
      )
      this.#count++
    }
  }

  remove(clientId: string, topic: string): void {
    const held = this.#byFilter.get(topic)
    if (held === undefined) return
    if (!(held instanceof Map)) {
      if (held.clientId !== clientId) return
      this.#byFilter.delete(topic)
      this.#count--
      return
    }
    if (!held.delete(clientId)) return
    this.#count--
    // back to the compact form once a single subscriber is left
    if (held.size === 1) this.#byFilter.set(topic, held.values().next().value as Holder)
  }

  /** The subscriptions to the filter equal to `topic`, in the order they were first added. */
  match(topic: string): TopicSubscription[] {
    const held = this.#byFilter.get(topic)
    if (held === undefined) return []
    if (!(held instanceof Map)) return [subscriptionOf(topic, held)]
    return Array.from(held.values(), (holder) => subscriptionOf(topic, holder))
  }
}

/** A fresh object per match, as qlobber gives: callers may keep or change it. */
function subscriptionOf(topic: string, holder: Holder): TopicSubscription {
  const { clientId, qos, rh, rap, nl } = holder
  return { clientId, topic, qos, rh, rap, nl }
}
