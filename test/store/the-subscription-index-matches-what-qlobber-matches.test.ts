import QlobberSub from 'qlobber/aedes/qlobber-sub.js'
import { expect, it } from 'vitest'
import { SubscriptionTrie } from '../../broker/store/topics.ts'
import type { QoS } from '../../broker/store/types.ts'

// `+` matches an empty level, as aedes' router does (mqemitter's matchEmptyLevels)
const OPTIONS = { separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true }
const FILTERS = [
  'a',
  'a/b',
  'a/b/c',
  'a/+',
  '+/b',
  'a/#',
  '#',
  '+/+',
  'a//b',
  'b',
  '$SYS/x',
  '$SYS/#',
]
const TOPICS = ['a', 'a/b', 'a/b/c', 'b', 'b/b', 'a//b', 'a/c', '$SYS/x', 'c/d/e', '/b', 'a/']

/** qlobber's matches less those [MQTT-4.7.2-1] forbids: a wildcard-first filter on a `$` topic. */
function referenceMatch(reference: QlobberSub, topic: string) {
  const matched = reference.match(topic)
  if (!topic.startsWith('$')) return matched
  return matched.filter((sub) => !sub.topic.startsWith('+') && !sub.topic.startsWith('#'))
}
const CLIENTS = ['c1', 'c2', 'c3']

/** A deterministic sequence for the random walk (mulberry32). */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function sorted(subs: { clientId: string; topic: string }[]): unknown[] {
  const key = (s: { clientId: string; topic: string }) => `${s.clientId}\0${s.topic}`
  return [...subs].sort((x, y) => key(x).localeCompare(key(y)))
}

it('matches the same subscriptions as qlobber over a random walk of adds and removes', () => {
  const next = random(8)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T
  const index = new SubscriptionTrie()
  const reference = new QlobberSub(OPTIONS)
  for (let step = 0; step < 5000; step++) {
    const clientId = pick(CLIENTS)
    const topic = pick(FILTERS)
    if (next() < 0.6) {
      const sub = {
        topic,
        qos: pick([1, 2] as QoS[]),
        rh: pick([0, 1, undefined]),
        nl: next() < 0.5,
      }
      index.add(clientId, sub)
      reference.add(topic, {
        clientId,
        topic,
        qos: sub.qos,
        rh: sub.rh,
        rap: undefined,
        nl: sub.nl,
      })
    } else {
      index.remove(clientId, topic)
      reference.remove(topic, { clientId, topic })
    }
    expect(index.count).toBe(reference.subscriptionsCount)
    const published = pick(TOPICS)
    expect(sorted(index.match(published))).toEqual(sorted(referenceMatch(reference, published)))
  }
})

it('lists the subscribers of one filter in the order they first subscribed, as qlobber does', () => {
  const index = new SubscriptionTrie()
  index.add('c1', { topic: 'dev/1', qos: 1 })
  index.add('c2', { topic: 'dev/1', qos: 1 })
  index.remove('c1', 'dev/1')
  index.add('c3', { topic: 'dev/1', qos: 1 })
  index.add('c2', { topic: 'dev/1', qos: 2 })
  index.add('c1', { topic: 'dev/1', qos: 1 })
  expect(index.match('dev/1').map((s) => [s.clientId, s.qos])).toEqual([
    ['c2', 2],
    ['c3', 1],
    ['c1', 1],
  ])
})

it('answers wildcard filters before the filter equal to the topic', () => {
  const index = new SubscriptionTrie()
  index.add('exact', { topic: 'hello', qos: 1 })
  index.add('wild', { topic: 'hello/#', qos: 1 })
  expect(index.match('hello')).toEqual([
    { clientId: 'wild', topic: 'hello/#', qos: 1, rh: undefined, rap: undefined, nl: undefined },
    { clientId: 'exact', topic: 'hello', qos: 1, rh: undefined, rap: undefined, nl: undefined },
  ])
})
