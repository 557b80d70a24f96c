import { expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

/** Connects a clean session and ends it with DISCONNECT. */
async function endClean(broker: BrokerHandle, clientId: string): Promise<void> {
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId })
  await client.disconnect()
  await changes.next('disconnect', clientId)
}

async function endedIds(broker: BrokerHandle): Promise<string[]> {
  return (await broker.sessions.list({ state: 'ended', limit: 100 })).sessions.map(
    (s) => s.clientId,
  )
}

test('an ended session is shown for --ended-session-ttl seconds, then dropped', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory', endedSessionTtl: 60 }, { clock })
  await endClean(broker, 'first')
  clock.advance(30_000)
  await endClean(broker, 'second')

  clock.advance(29_999)
  expect(await endedIds(broker)).toEqual(['first', 'second'])
  clock.advance(1)
  expect(await endedIds(broker)).toEqual(['second'])
  expect(await broker.sessions.get('first')).toBeNull()
  clock.advance(30_000)
  expect(await broker.sessions.get('second')).toBeNull()
  expect(await endedIds(broker)).toEqual([])
})

test('at most --ended-sessions are kept: the one that ended first goes', async () => {
  const broker = await startBroker({ store: 'memory', endedSessions: 2 })
  for (const clientId of ['c', 'a', 'b']) await endClean(broker, clientId)

  expect(await endedIds(broker)).toEqual(['a', 'b'])
  expect(await broker.sessions.get('c')).toBeNull()
})

test('--ended-sessions 0 keeps none: a clean session is gone when it ends', async () => {
  const broker = await startBroker({ store: 'memory', endedSessions: 0 })
  await endClean(broker, 'tmp')

  expect(await broker.sessions.get('tmp')).toBeNull()
  expect(await endedIds(broker)).toEqual([])
})

test('the ClientID connecting again starts a new session: the ended one is no longer shown', async () => {
  const broker = await startBroker({ store: 'memory' })
  const changes = new SessionChanges(broker.sessions)
  await endClean(broker, 'dev')

  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev' })
  await changes.next('connect', 'dev')

  expect(await endedIds(broker)).toEqual([])
  const view = await broker.sessions.get('dev')
  expect(view).toMatchObject({ state: 'online', ended: null })
  expect(view?.history.map((e) => e.type)).toEqual(['connect'])
})

test('an operator deletes an ended session: then it is gone (404)', async () => {
  const broker = await startBroker({ store: 'memory' })
  await endClean(broker, 'dev')

  expect(await broker.sessions.delete('dev')).toBe(true)

  expect(await broker.sessions.get('dev')).toBeNull()
  expect(await broker.sessions.delete('dev')).toBe(false)
})

test('deleting an online clean session leaves no ended one behind', async () => {
  const broker = await startBroker({ store: 'memory' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev' })

  expect(await broker.sessions.delete('dev')).toBe(true)

  expect(await broker.sessions.get('dev')).toBeNull()
  expect(await endedIds(broker)).toEqual([])
})
