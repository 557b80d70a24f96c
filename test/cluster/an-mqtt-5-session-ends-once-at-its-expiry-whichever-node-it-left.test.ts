import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

// MQTT 5 Session Expiry [MQTT-3.1.2-23] in a cluster: a session's record,
// interval and disconnect time are in Redis, shared by every node. Any node
// shows when a session ends, wherever it connected; it ends at its expiry
// even if the node it left is gone; and it ends once, not once per node.

/** Two nodes of one cluster on one redis-server, driven by one clock (no $SYS timers). */
async function twoNodes(clock: ManualClock) {
  const redis = await startRedis()
  const config = { sysInterval: 0, store: 'redis' as const, redisUrl: redis.url }
  const a = await startBroker({ ...config, brokerId: 'node-a', dataDir: tempDir() }, { clock })
  const b = await startBroker({ ...config, brokerId: 'node-b', dataDir: tempDir() }, { clock })
  return {
    a,
    b,
    async stop() {
      await Promise.all([a.close(), b.close()])
      await redis.stop()
    },
  }
}

/** An MQTT 5 session of `expiry` seconds on `node`, subscribed, then left offline. */
async function leave(node: BrokerHandle, clientId: string, expiry: number) {
  const changes = new SessionChanges(node.sessions)
  const { client } = await connect5(node.urls.mqtt, {
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: expiry },
  })
  await client.subscribeAsync(`cmd/${clientId}`, { qos: 1 })
  await client.endAsync()
  await changes.next('disconnect', clientId)
  await node.store.flush()
}

describe.skipIf(!redisAvailable())('MQTT 5 session expiry across a cluster', () => {
  test('any node shows a session of another node with its interval, and offline when it ends', async () => {
    const clock = new ManualClock()
    const cluster = await twoNodes(clock)
    const { a, b } = cluster
    const { client } = await connect5(a.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    })
    await a.store.flush()
    expect((await b.sessions.get('dev'))?.expiry).toEqual({
      interval: 60,
      ends: 'after-disconnect',
      seconds: 60,
      at: null,
    })
    const changes = new SessionChanges(a.sessions)
    const left = clock.now()
    await client.endAsync()
    await changes.next('disconnect', 'dev')
    await a.store.flush()
    expect(await b.sessions.get('dev')).toMatchObject({
      connected: false,
      expiry: { interval: 60, ends: 'at', at: left + 60_000 },
    })
    await cluster.stop()
  })

  test('sessions that both nodes sweep at the same moment end once each, with one expired event', async () => {
    const clock = new ManualClock()
    const cluster = await twoNodes(clock)
    const { a, b } = cluster
    const onA = new SessionChanges(a.sessions)
    const onB = new SessionChanges(b.sessions)
    // one left on each node at the same time: each node's timer fires at that end
    await Promise.all([leave(a, 'left-a', 60), leave(b, 'left-b', 60)])

    clock.advance(60_000)
    const first = await Promise.race([onA.next('expired', 'left-a'), onB.next('expired', 'left-a')])
    expect(first.event.idleMs).toBe(60_000)
    expect(await b.sessions.get('left-a')).toBeNull()
    // closing a node waits for its running sweep: after both closed, every event is in
    await cluster.stop()
    const expired = [...onA.all, ...onB.all].filter((c) => c.event.type === 'expired')
    expect(expired.map((c) => c.clientId).sort()).toEqual(['left-a', 'left-b'])
  })

  test('a session left on a node that has gone ends at its expiry on the node still running', async () => {
    const clock = new ManualClock()
    const cluster = await twoNodes(clock)
    const { a, b } = cluster
    await leave(a, 'orphan', 60)
    await a.close()
    const onB = new SessionChanges(b.sessions)

    clock.advance(60_000)
    const { event } = await onB.next('expired', 'orphan')
    expect(event).toEqual({ type: 'expired', at: clock.now(), idleMs: 60_000 })
    expect(await b.store.getSession('orphan')).toBeUndefined()
    expect(await b.sessions.get('orphan')).toBeNull()
    await cluster.stop()
  })
})
