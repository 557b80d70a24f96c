import { expect, it } from 'vitest'
import { mib, startMeasuredBroker } from './flood/child-broker-memory.ts'
import { flood } from './flood/publisher.ts'
import { Responsiveness } from './flood/responsiveness.ts'
import { openStalledSubscriber } from './flood/slow-socket.ts'

// Two publishers far faster than their two subscribers, which stop reading
// altogether: the publishers are held back until the stalled ones count as
// stopped (--reader-stall-ms, 1 s), then the broker buffers up to
// --max-pending-bytes (16 MiB) per connection and closes them; another
// client's round trips keep being answered and the broker's memory stays bounded.

// 2 × 15,000 × 4 KiB = 120 MB for each stalled subscriber: more than loopback's kernel buffers
// take here (tcp_rmem max 32 MiB + tcp_wmem max 4 MiB), so the broker's own buffer fills.
const MESSAGES = 15_000
const SIZE = 4096
/**
 * A bystander's PINGREQ + QoS 1 publish round trip. Measured max: ~120 ms alone, ~930 ms
 * beside the rest of `npm test` on 2 cores.
 */
const ROUND_TRIP_BOUND_MS = 2_500
/**
 * RSS above the idle broker's. The broker buffers at most --max-pending-bytes (16 MiB)
 * unwritten per connection, for two stalled connections, plus what is in flight from the publishers.
 */
const RSS_GROWTH_BOUND = 200 * 2 ** 20

it('answers a bystander within a bound and keeps memory bounded while publishers flood stalled subscribers', async () => {
  const { broker, rss, metric } = await startMeasuredBroker()
  const url = broker.mqttUrl
  await Promise.all([
    openStalledSubscriber(url, {
      clientId: 'stalled-persistent',
      clean: false,
      filter: 'flood/#',
      qos: 1,
    }),
    openStalledSubscriber(url, {
      clientId: 'stalled-clean',
      clean: true,
      filter: 'flood/#',
      qos: 0,
    }),
  ])
  const before = await rss()
  let peak = before
  const sampling = setInterval(() => {
    rss().then(
      (bytes) => {
        peak = Math.max(peak, bytes)
      },
      () => {},
    )
  }, 100)
  const bystander = await Responsiveness.start(url, 'flood-bystander')

  const started = performance.now()
  const accepted = await Promise.all([
    flood(url, {
      clientId: 'flood-q1',
      topic: 'flood/q1',
      qos: 1,
      count: MESSAGES,
      size: SIZE,
      window: 200,
    }),
    flood(url, { clientId: 'flood-q0', topic: 'flood/q0', qos: 0, count: MESSAGES, size: SIZE }),
  ])
  const seconds = (performance.now() - started) / 1000
  // The publishers are gone; once the broker gave up on both stalled subscribers only the
  // bystander is left. (Polled: a paused socket cannot see its own close.)
  let connections = await metric('sessionlab_connections')
  for (let i = 0; i < 50 && connections > 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    connections = await metric('sessionlab_connections')
  }
  const round = await bystander.stop()
  clearInterval(sampling)
  peak = Math.max(peak, await rss())

  console.log(
    `slow-consumer flood: ${accepted.join(' + ')} messages of ${SIZE} B in ${seconds.toFixed(1)} s; ` +
      `connections left ${connections} (the bystander); ` +
      `bystander ${round.count} round trips, median ${round.medianMs} ms, max ${round.maxMs} ms; ` +
      `RSS ${mib(before)} -> peak ${mib(peak)} (+${mib(peak - before)})`,
  )
  expect(accepted).toEqual([MESSAGES, MESSAGES])
  expect(connections, 'stalled subscribers closed as slow consumers').toBe(1)
  expect(round.count).toBeGreaterThan(5)
  expect(round.maxMs).toBeLessThan(ROUND_TRIP_BOUND_MS)
  expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND)
  await broker.kill('SIGTERM')
}, 60_000)
