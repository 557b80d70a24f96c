import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

/**
 * A subscriber that only listens is active: each PUBLISH the broker writes
 * to it moves its last activity, as each packet it sends does. It is
 * checked with no packet from the client after its SUBSCRIBE (keepalive 0:
 * no PINGREQ either), and it stays so once the session is offline.
 */
describe.each([0, 1] as const)('a QoS %i delivery', (qos) => {
  test('moves the receiving session’s last activity, and the stored one after it goes offline', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ store: 'sqlite' }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const { client: listener } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'listener',
      clean: false,
    })
    await listener.subscribe('plant/temp', qos)
    const subscribedAt = clock.now()

    clock.advance(180_000)
    const { client: publisher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    publisher.send({
      cmd: 'publish',
      topic: 'plant/temp',
      payload: Buffer.from('81'),
      qos,
      ...(qos === 1 ? { messageId: 1 } : {}),
      retain: false,
      dup: false,
    })
    await listener.next('publish')
    const sentAt = clock.now()
    expect(sentAt).toBe(subscribedAt + 180_000)

    const online = await broker.sessions.list({ limit: 10, prefix: 'listener' })
    expect(online.sessions.map((s) => [s.clientId, s.lastActivity])).toEqual([['listener', sentAt]])

    // gone without a packet (no DISCONNECT, no PUBACK): what it last received is its last activity
    clock.advance(60_000)
    listener.destroy()
    await changes.next('disconnect', 'listener')
    await broker.store.flush()
    const offline = await broker.sessions.list({ limit: 10, state: 'offline' })
    expect(offline.sessions.map((s) => [s.clientId, s.lastActivity])).toEqual([
      ['listener', sentAt],
    ])
  })
})
