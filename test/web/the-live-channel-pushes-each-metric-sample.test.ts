import { expect, test } from 'vitest'
import { dashboard } from '../../web/index.ts'
import { parseServerMessage } from '../../web/shared/messages.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { Viewer } from './viewer-client.ts'

test('each sample the broker takes reaches open pages as a typed metrics message', async () => {
  const clock = new ManualClock()
  const broker = await startBroker({ store: 'memory' }, { clock, http: dashboard() })
  const viewer = new Viewer(broker)
  await viewer.open('/overview')
  const live = await viewer.live()
  await live.next('welcome')

  clock.advance(5000)
  const { sample } = await live.next('metrics')
  expect(sample).toMatchObject({ at: clock.now(), connections: 0, online: 0, offline: 0 })
  expect(sample.receivedPerSec).toBe(0)
  // the same sample the history answers
  expect(broker.history.sampler.history().latest).toEqual(sample)
})

const sample = {
  at: 1,
  connections: 2,
  online: 2,
  offline: 1,
  queued: 3,
  inflight: 0,
  receivedPerSec: null,
  sentPerSec: 0.2,
  droppedPerSec: 0,
  received: 5,
  sent: 1,
  dropped: 0,
}

test('a metrics message parses into its typed form; a malformed one is not a server message', () => {
  expect(parseServerMessage(JSON.stringify({ type: 'metrics', sample }))).toEqual({
    type: 'metrics',
    sample,
  })
  for (const bad of [
    { ...sample, queued: '3' },
    { ...sample, receivedPerSec: 'fast' },
    { ...sample, at: undefined },
    { ...sample, connections: null },
  ]) {
    expect(parseServerMessage(JSON.stringify({ type: 'metrics', sample: bad }))).toBeNull()
  }
  expect(parseServerMessage('{"type":"metrics"}')).toBeNull()
})
