import { expect, it, onTestFinished } from 'vitest'
import { mib, openFileLimit, startMeasuredBroker } from './flood/child-broker-memory.ts'
import { openIdleConnections } from './flood/idle-connections.ts'
import { Responsiveness } from './flood/responsiveness.ts'

// 5,000 idle MQTT connections (each CONNECTed and answered), opened 100 at a time while a
// bystander keeps measuring round trips. The broker's RSS per connection is printed and bounded.

const WANTED = 5_000
// This process holds one end of each connection and the broker (a child with the same limit)
// the other; leave room for everything else either opens.
const LIMIT = openFileLimit()
const CONNECTIONS = Math.min(WANTED, LIMIT - 200)
/**
 * A bystander's PINGREQ + QoS 1 publish round trip while connections pour in. Measured max:
 * ~140 ms alone, ~470 ms beside the rest of `npm test` on 2 cores.
 */
const ROUND_TRIP_BOUND_MS = 2_500
/** Broker RSS per idle connection (socket, aedes client, parser, session); measured: ~26 KiB. */
const PER_CONNECTION_BOUND = 48 * 1024

it(`stays responsive with ${CONNECTIONS} idle connections, at most ${PER_CONNECTION_BOUND / 1024} KiB of RSS each`, async () => {
  if (CONNECTIONS < WANTED) {
    console.warn(`ulimit -n is ${LIMIT}: opening ${CONNECTIONS} connections instead of ${WANTED}`)
  }
  const { broker, rss, metric } = await startMeasuredBroker()
  const before = await rss()
  const bystander = await Responsiveness.start(broker.mqttUrl, 'idle-bystander')
  const started = performance.now()
  const sockets = await openIdleConnections(broker.mqttUrl, CONNECTIONS, {
    prefix: 'idle',
    parallel: 100,
  })
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy()
  })
  const seconds = (performance.now() - started) / 1000
  const connections = await metric('sessionlab_connections')
  const after = await rss()
  const round = await bystander.stop()
  const perConnection = (after - before) / CONNECTIONS

  console.log(
    `${CONNECTIONS} idle connections opened in ${seconds.toFixed(1)} s (ulimit -n ${LIMIT}); ` +
      `broker RSS ${mib(before)} -> ${mib(after)}: ${(perConnection / 1024).toFixed(1)} KiB per connection; ` +
      `bystander ${round.count} round trips, median ${round.medianMs} ms, max ${round.maxMs} ms`,
  )
  expect(connections).toBe(CONNECTIONS + 1)
  expect(round.count).toBeGreaterThan(3)
  expect(round.maxMs).toBeLessThan(ROUND_TRIP_BOUND_MS)
  expect(perConnection).toBeLessThan(PER_CONNECTION_BOUND)
}, 60_000)
