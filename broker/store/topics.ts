import { QlobberTrue } from 'qlobber'
import QlobberSub, { type QlobberSubValue } from 'qlobber/aedes/qlobber-sub.js'
import { ExactFilters } from './exact-filters.ts'
import type { StoredSubscription, TopicSubscription } from './types.ts'

/**
 * MQTT topic syntax for qlobber [MQTT-4.7.1]. A level may be empty
 * (`foo//baz`, `a/`), and `+` matches an empty level as any other (§4.7.1.3:
 * `+/+` matches `/finance`), as aedes' live router does (mqemitter's
 * `matchEmptyLevels`): what is retained or queued matches as what is routed.
 */
const QLOBBER_OPTIONS = {
  separator: '/',
  wildcard_one: '+',
  wildcard_some: '#',
  match_empty_levels: true,
}

/**
 * Whether a filter's first level is a wildcard: such a filter matches no
 * topic starting with `$` [MQTT-4.7.2-1] (aedes' router applies it live,
 * handlers/subscribe.js `blockDollarSignTopics`; the stores apply it here to
 * what they retain and queue).
 */
export function startsWithWildcard(filter: string): boolean {
  const first = filter.charCodeAt(0)
  return first === 43 /* + */ || first === 35 /* # */
}

/** Whether `filter` may match `topic` at all as far as the `$` rule goes [MQTT-4.7.2-1]. */
function dollarAllows(filter: string, topic: string): boolean {
  return topic.charCodeAt(0) !== 36 /* $ */ || !startsWithWildcard(filter)
}

/**
 * The in-memory index of qos > 0 subscriptions that `subscriptionsByTopic`
 * answers from: aedes asks it on every publish, so it must not touch disk.
 * Filters with wildcards go in qlobber's trie; the rest, which a broker of
 * per-device topics holds by the hundred thousand, in a hash of exact
 * filters at a fraction of a trie's memory.
 */
export class SubscriptionTrie {
  readonly #wildcards = new QlobberSub(QLOBBER_OPTIONS)
  readonly #exact = new ExactFilters()
  /**
   * MQTT 5 Subscription Identifiers by `clientId\0filter`: qlobber's values
   * keep no more than QoS and the options, and few subscriptions have one.
   */
  readonly #identifiers = new Map<string, number>()

  get count(): number {
    return this.#wildcards.subscriptionsCount + this.#exact.count
  }

  add(clientId: string, sub: StoredSubscription): void {
    const { topic, qos, rh, rap, nl, subscriptionIdentifier } = sub
    if (!hasWildcard(topic)) this.#exact.add(clientId, sub)
    else this.#wildcards.add(topic, { clientId, topic, qos, rh, rap, nl })
    if (subscriptionIdentifier !== undefined) {
      this.#identifiers.set(`${clientId}\0${topic}`, subscriptionIdentifier)
    } else if (this.#identifiers.size > 0) this.#identifiers.delete(`${clientId}\0${topic}`)
  }

  remove(clientId: string, topic: string): void {
    if (this.#identifiers.size > 0) this.#identifiers.delete(`${clientId}\0${topic}`)
    if (!hasWildcard(topic)) this.#exact.remove(clientId, topic)
    else this.#wildcards.remove(topic, { clientId, topic })
  }

  /** Wildcard filters first, as qlobber orders 'a/#' before 'a/b' for the topic 'a/b'. */
  match(topic: string): TopicSubscription[] {
    const matched = this.#match(topic)
    if (this.#identifiers.size === 0) return matched
    for (const sub of matched) {
      const id = this.#identifiers.get(`${sub.clientId}\0${sub.topic}`)
      if (id !== undefined) sub.subscriptionIdentifier = id
    }
    return matched
  }

  #match(topic: string): TopicSubscription[] {
    let matched = this.#wildcards.match(topic) as (QlobberSubValue & TopicSubscription)[]
    // exact filters hold no wildcard: only the trie's can break the `$` rule
    if (topic.startsWith('$')) matched = matched.filter((sub) => dollarAllows(sub.topic, topic))
    const exact = this.#exact.match(topic)
    if (exact.length === 0) return matched
    if (matched.length === 0) return exact
    for (const sub of exact) matched.push(sub)
    return matched
  }
}

/** Tells whether a topic matches a filter, wildcards included [MQTT-4.7.1]. */
export function topicMatcher(pattern: string): (topic: string) => boolean {
  const qlobber = new QlobberTrue(QLOBBER_OPTIONS)
  qlobber.add(pattern)
  if (!startsWithWildcard(pattern)) return (topic) => qlobber.test(topic)
  return (topic) => dollarAllows(pattern, topic) && qlobber.test(topic)
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('+') || pattern.includes('#')
}

/**
 * The literal part of a filter before its first wildcard level, without the
 * trailing separator: every topic the filter matches starts with it
 * ('a/b/#' also matches 'a/b' itself [MQTT-4.7.1-2]).
 */
export function literalPrefix(pattern: string): string {
  const levels = pattern.split('/')
  const literal: string[] = []
  for (const level of levels) {
    if (level === '+' || level === '#') break
    literal.push(level)
  }
  return literal.join('/')
}
