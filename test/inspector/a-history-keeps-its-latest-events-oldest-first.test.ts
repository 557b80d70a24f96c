import { expect, it } from 'vitest'
import { History } from '../../broker/inspector/history.ts'
import type { SessionEvent } from '../../broker/inspector/types.ts'

const queued = (n: number, topic = `t/${n % 3}`): SessionEvent => ({
  type: 'queued',
  at: 1_700_000_000_000 + n,
  topic,
  qos: 1,
  bytes: n,
})

it.each([1, 3, 4, 5, 7, 100])(
  'keeps the latest %i events, oldest first, however many came',
  (size) => {
    const history = new History(size)
    const pushed: SessionEvent[] = []
    for (let n = 0; n < 250; n++) {
      const event = queued(n)
      history.push(event)
      pushed.push({ ...event })
      expect(history.toArray()).toEqual(pushed.slice(-size))
    }
  },
)

it('keeps nothing with size 0', () => {
  const history = new History(0)
  history.push(queued(1))
  expect(history.toArray()).toEqual([])
})

it('returns a copy that later events do not change', () => {
  const history = new History(2)
  history.push(queued(1))
  const before = history.toArray()
  history.push(queued(2))
  history.push(queued(3))
  expect(before).toEqual([queued(1)])
})

it('keeps each event with its own topic when topics repeat', () => {
  const history = new History(10)
  const topics = ['a/b', 'a/c', `a/${'b'}`, 'a/b/c', 'a/c']
  history.push({ type: 'subscribe', at: 1, topic: 'a/b', qos: 1 })
  for (const [n, topic] of topics.entries()) history.push(queued(n, topic))
  history.push({ type: 'disconnect', at: 2, reason: 'client' })
  history.push({ type: 'delivered', at: 3, topic: 'a/c', qos: 1 })
  expect(
    history
      .toArray()
      .map((event) => ('topic' in event ? `${event.type} ${event.topic}` : event.type)),
  ).toEqual([
    'subscribe a/b',
    'queued a/b',
    'queued a/c',
    'queued a/b',
    'queued a/b/c',
    'queued a/c',
    'disconnect',
    'delivered a/c',
  ])
})
