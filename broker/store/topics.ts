import { QlobberTrue } from 'qlobber'
import QlobberSub, { type QlobberSubValue } from 'qlobber/aedes/qlobber-sub.js'
import type { StoredSubscription, TopicSubscription } from './types.ts'

/** MQTT topic syntax for qlobber [MQTT-4.7.1]. */
const QLOBBER_OPTIONS = { separator: '/', wildcard_one: '+', wildcard_some: '#' }

/**
 * The in-memory trie of qos > 0 subscriptions that `subscriptionsByTopic`
 * answers from: aedes asks it on every publish, so it must not touch disk.
 */
export class SubscriptionTrie {
  readonly #trie = new QlobberSub(QLOBBER_OPTIONS)

  get count(): number {
    return this.#trie.subscriptionsCount
  }

  add(clientId: string, sub: StoredSubscription): void {
    const { topic, qos, rh, rap, nl } = sub
    this.#trie.add(topic, { clientId, topic, qos, rh, rap, nl })
  }

  remove(clientId: string, topic: string): void {
    this.#trie.remove(topic, { clientId, topic })
  }

  match(topic: string): TopicSubscription[] {
    return this.#trie.match(topic) as (QlobberSubValue & TopicSubscription)[]
  }
}

/** Tells whether a topic matches a filter, wildcards included [MQTT-4.7.1]. */
export function topicMatcher(pattern: string): (topic: string) => boolean {
  const qlobber = new QlobberTrue(QLOBBER_OPTIONS)
  qlobber.add(pattern)
  return (topic) => qlobber.test(topic)
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
