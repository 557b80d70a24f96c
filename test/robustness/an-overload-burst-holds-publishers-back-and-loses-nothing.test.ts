import mqtt, { type MqttClient } from 'mqtt'
import { expect, it, onTestFinished } from 'vitest'
import { startMeasuredBroker } from './flood/child-broker-memory.ts'
import { Responsiveness } from './flood/responsiveness.ts'

// Four mqtt.js publishers each hand their client 25,000 QoS 1 PUBLISHes at
// once, as a user's burst would, to four live subscribers (clean and
// persistent, over TCP and WebSocket) on default settings. The broker hands
// messages to the subscribers faster than they read them; instead of closing
// them ("slow consumer") it stops reading from the publishers until the
// subscribers catch up (broker/policies/backpressure.ts).

const PUBLISHERS = 4
const MESSAGES = 25_000
/**
 * A bystander's PINGREQ + QoS 1 round trip to itself. It feeds no subscriber that is behind, so
 * it is not held back (test/policies/backpressure-holds-back-only-the-publishers-feeding-a-connection-behind);
 * what it waits for is a busy broker and this busy test process, where the publishers and
 * subscribers run too. Measured on 2 cores: median ~0.2 s, max 4.6 s alone; median 0.5 s, max
 * 8.9 s beside the rest of `npm test` (the burst then took 58 s); with the clients in processes
 * of their own, median 24 ms, max 2.1 s (bench/RESULTS.md). The bound is well under the burst's
 * length: a bystander starved until the burst ends fails it.
 */
const ROUND_TRIP_BOUND_MS = 20_000

interface Subscriber {
  name: string
  client: MqttClient
  /** Payloads received, by publisher. */
  received: Set<string>[]
  closes: number
}

async function subscriber(url: string, name: string, clean: boolean): Promise<Subscriber> {
  const client = await mqtt.connectAsync(url, { clientId: name, clean, reconnectPeriod: 0 })
  onTestFinished(() => {
    client.end(true)
  })
  const sub: Subscriber = {
    name,
    client,
    received: Array.from({ length: PUBLISHERS }, () => new Set<string>()),
    closes: 0,
  }
  client.on('close', () => sub.closes++)
  client.on('message', (topic, payload) => {
    sub.received[Number(topic.slice('burst/'.length))]?.add(payload.toString())
  })
  await client.subscribeAsync('burst/+', { qos: 1 })
  return sub
}

function receivedAll(sub: Subscriber): Promise<void> {
  const done = () => sub.received.every((set) => set.size === MESSAGES)
  if (done()) return Promise.resolve()
  return new Promise((resolve) => {
    const check = () => {
      if (!done()) return
      sub.client.off('message', check)
      resolve()
    }
    sub.client.on('message', check)
  })
}

it('delivers a burst of 4 × 25,000 QoS 1 to 4 live subscribers with no connection closed and no message lost', async () => {
  const { broker, metric } = await startMeasuredBroker()
  const subscribers = await Promise.all([
    subscriber(broker.mqttUrl, 'burst-clean-tcp', true),
    subscriber(broker.mqttUrl, 'burst-persistent-tcp', false),
    subscriber(broker.wsUrl, 'burst-clean-ws', true),
    subscriber(broker.wsUrl, 'burst-persistent-ws', false),
  ])
  const bystander = await Responsiveness.start(
    broker.mqttUrl,
    'burst-bystander',
    ROUND_TRIP_BOUND_MS,
  )
  const publishers = await Promise.all(
    Array.from({ length: PUBLISHERS }, (_, p) =>
      mqtt.connectAsync(broker.mqttUrl, { clientId: `burst-pub-${p}`, reconnectPeriod: 0 }),
    ),
  )
  onTestFinished(() => {
    for (const publisher of publishers) publisher.end(true)
  })

  const started = performance.now()
  const everyoneReceived = Promise.all(subscribers.map(receivedAll))
  // Every PUBLISH handed to the client at once: mqtt.js writes them as fast as its socket takes them.
  await Promise.all(
    publishers.map((publisher, p) =>
      Promise.all(
        Array.from({ length: MESSAGES }, (_, i) =>
          publisher.publishAsync(`burst/${p}`, `${p}-${i}`, { qos: 1 }),
        ),
      ),
    ),
  )
  await everyoneReceived
  const seconds = (performance.now() - started) / 1000
  const round = await bystander.stop()
  const held = await metric('sessionlab_publishers_held_total')

  console.log(
    `overload burst: ${PUBLISHERS} × ${MESSAGES} QoS 1 to ${subscribers.length} subscribers in ${seconds.toFixed(1)} s ` +
      `(${Math.round((PUBLISHERS * MESSAGES * subscribers.length) / seconds)} deliveries/s); ` +
      `publishers held back ${held} times; bystander ${round.count} round trips, median ${round.medianMs} ms, max ${round.maxMs} ms`,
  )
  for (const sub of subscribers) {
    expect(sub.closes, `${sub.name} closed`).toBe(0)
    expect(
      sub.received.map((set) => set.size),
      `${sub.name} received`,
    ).toEqual([MESSAGES, MESSAGES, MESSAGES, MESSAGES])
  }
  expect(
    held,
    'the burst outran the subscribers and the publishers were held back',
  ).toBeGreaterThan(0)
  expect(round.maxMs).toBeLessThan(ROUND_TRIP_BOUND_MS)
}, 180_000)
