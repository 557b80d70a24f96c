import { expect, test } from 'vitest'
import { createMemoryStore } from '../../broker/store/memory/index.ts'
import { ViewStore } from '../../web/server/views.ts'
import type { LiveChange } from '../../web/shared/messages.ts'

const change = (seq: number, clientId = 'c'): LiveChange => ({
  seq,
  clientId,
  event: { type: 'unsubscribe', at: seq, topic: 't' },
})

test('a view away keeps its last maxMissed changes and counts the ones it let go', () => {
  const views = new ViewStore({ maxMissed: 3, maxViews: 10 })
  const { view } = views.open('v', 0)
  for (let seq = 1; seq <= 5; seq++) views.record(change(seq))
  expect(views.takeMissed(view)).toEqual({
    missed: [change(3), change(4), change(5)],
    missedDropped: 2,
  })
  expect(views.takeMissed(view)).toEqual({ missed: [], missedDropped: 0 })
})

test('a view with a page open misses nothing', () => {
  const views = new ViewStore({ maxMissed: 3, maxViews: 10 })
  const { view } = views.open('v', 0)
  view.open = 1
  views.record(change(1))
  expect(view.missed).toEqual([])
})

test('past maxViews the least recently seen view away is forgotten, never one with a page open', () => {
  const views = new ViewStore({ maxMissed: 3, maxViews: 2 })
  views.open('oldest-but-open', 0).view.open = 1
  views.open('old', 1)
  views.open('new', 2)
  expect(views.get('oldest-but-open')).toBeDefined()
  expect(views.get('old')).toBeUndefined()
  expect(views.get('new')).toBeDefined()
})

test('the store is held to the same bounds: a view forgotten here is deleted there, and views load back bounded', async () => {
  const records = createMemoryStore()
  const views = new ViewStore({ maxMissed: 2, maxViews: 2, records })
  views.open('old', 1)
  views.open('mid', 2)
  views.open('new', 3)
  for (let seq = 1; seq <= 3; seq++) views.record(change(seq))
  await views.save()
  const ids = async () => (await records.loadDashboardViews()).map((r) => r.id).sort()
  expect(await ids()).toEqual(['mid', 'new'])

  // a later run with smaller bounds keeps the most recently seen, and its newest missed changes
  const later = new ViewStore({ maxMissed: 1, maxViews: 1, records })
  await later.load()
  const kept = later.get('new')
  expect(kept && later.takeMissed(kept)).toEqual({ missed: [change(3)], missedDropped: 2 })
  expect(later.get('mid')).toBeUndefined()
  await later.save()
  expect(await ids()).toEqual(['new'])
})
