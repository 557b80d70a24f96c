import type { BrokerHandle } from '../broker/broker.ts'

const DAY = 86_400_000

/**
 * `count` offline sessions written through the store API, as the 10,000-session browser tests
 * write theirs (connecting them all would measure the connects): ClientIDs `fleet/000000` on,
 * connect and activity times spread over the week before `now`, and 1 in 10 holding 1–5 queued
 * QoS 1 messages. The spread comes from a fixed-seed generator, so every run seeds the same list.
 */
export async function seedSessions(
  store: BrokerHandle['store'],
  count: number,
  now = Date.now(),
): Promise<void> {
  let random = 42
  const next = () => {
    random = (random * 1_103_515_245 + 12_345) % 2 ** 31
    return random / 2 ** 31
  }
  const writes: Promise<unknown>[] = []
  for (let i = 0; i < count; i++) {
    const clientId = `fleet/${String(i).padStart(6, '0')}`
    const connectedAt = Math.round(now - 7 * DAY * next())
    const lastActivity = connectedAt + Math.round(3_600_000 * next())
    writes.push(store.openSession(clientId))
    writes.push(
      store.touchSession(clientId, {
        protocolVersion: 4,
        remoteAddress: `10.0.${i % 250}.${i % 200}:${40000 + (i % 20000)}`,
        connectedAt,
        lastActivity,
        disconnectedAt: lastActivity,
      }),
    )
    if (i % 10 === 0) {
      const queued = 1 + (i % 5)
      for (let n = 1; n <= queued; n++) {
        writes.push(
          store.outgoingEnqueueCombi([{ clientId }], {
            cmd: 'publish',
            topic: `fleet/${i}/cmd`,
            payload: Buffer.from('{"set":1}'),
            qos: 1,
            retain: false,
            dup: false,
            brokerId: 'bench',
            brokerCounter: i * 10 + n,
          }),
        )
      }
    }
    // bounded batches: 100,000 sessions' promises at once would hold every write in memory
    if (writes.length > 5000) await Promise.all(writes.splice(0))
  }
  await Promise.all(writes)
  await store.flush()
}
