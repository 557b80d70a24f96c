import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  describe.each([false, true])('with CleanSession=%s', (clean) => {
    test('a QoS 2 delivery is in flight until PUBCOMP, then delivered', async () => {
      const broker = await startBroker({ store })
      const changes = new SessionChanges(broker.sessions)
      const { client: sub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'sub', clean })
      await sub.subscribe('t', 2)
      const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })

      pub.send(publishPacket('t', 'x', 2, 1))
      const received = await sub.next('publish')
      expect(received.qos).toBe(2)
      expect((await broker.sessions.get('sub'))?.inflight).toBe(1)

      sub.send({ cmd: 'pubrec', messageId: received.messageId })
      await sub.next('pubrel')
      expect((await broker.sessions.get('sub'))?.inflight).toBe(1) // [MQTT-4.3.3-1] PUBREL state

      sub.send({ cmd: 'pubcomp', messageId: received.messageId })
      const { event } = await changes.next('delivered', 'sub')
      expect(event).toMatchObject({ topic: 't', qos: 2 })
      expect((await broker.sessions.get('sub'))?.inflight).toBe(0)
    })

    test('a QoS 0 delivery is delivered when written', async () => {
      const broker = await startBroker({ store })
      const changes = new SessionChanges(broker.sessions)
      const { client: sub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'sub', clean })
      await sub.subscribe('t', 0)
      const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })

      pub.send(publishPacket('t', 'x', 1, 1)) // granted QoS 0 caps it [MQTT-3.8.4-6]
      expect((await sub.next('publish')).qos).toBe(0)
      const { event } = await changes.next('delivered', 'sub')

      expect(event).toMatchObject({ topic: 't', qos: 0 })
      expect((await broker.sessions.get('sub'))?.inflight).toBe(0)
    })

    test('an incoming QoS 2 PUBLISH awaits its PUBREL', async () => {
      const broker = await startBroker({ store })
      const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub', clean })

      client.send(publishPacket('t', 'x', 2, 7))
      await client.next('pubrec')
      expect((await broker.sessions.get('pub'))?.incomingAwaitingPubrel).toBe(1)

      client.send({ cmd: 'pubrel', messageId: 7 })
      await client.next('pubcomp')
      expect((await broker.sessions.get('pub'))?.incomingAwaitingPubrel).toBe(0)
    })
  })
})
