import mqttPacket from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transports)('over %s', (transport) => {
  test('a keepalive above --max-keepalive is lowered with Server Keep Alive, not refused [MQTT-3.2.2-21]', async () => {
    const broker = await startBroker({ store: 'memory', maxKeepalive: 60 })
    const url = urlFor(broker, transport)
    const over = await connect5(url, { clientId: 'over', keepalive: 600 })
    expect([over.connack.reasonCode, over.connack.properties?.serverKeepAlive]).toEqual([0, 60])
    // 0 (no keepalive) is above any limit too
    const none = await connect5(url, { clientId: 'none', keepalive: 0 })
    expect(none.connack.properties?.serverKeepAlive).toBe(60)
    const within = await connect5(url, { clientId: 'within', keepalive: 30 })
    expect(within.connack.properties?.serverKeepAlive).toBeUndefined()
    // 3.1.1 has no Server Keep Alive: refused as before
    const old = await RawClient.connect(url, { clientId: 'v4', keepalive: 600 })
    expect(old.connack.returnCode).toBe(2)
  })

  test('an empty ClientID gets an Assigned Client Identifier, also with Clean Start=0 [MQTT-3.2.2-16]', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    // raw bytes: MQTT.js and mqtt-packet refuse to send an empty ClientID with
    // Clean Start=0, which MQTT 5 allows [MQTT-3.1.3-6]
    const client = await RawClient.open(url, { protocolVersion: 5 })
    const frame = mqttPacket.generate(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: '',
        clean: true,
        keepalive: 0,
        properties: { sessionExpiryInterval: 60 },
      },
      { protocolVersion: 5 },
    )
    // fixed header (2 bytes), protocol name (6), level (1), then the flags: Clean Start off
    frame[9] &= ~0x02
    client.writeRaw(frame)
    const connack = await client.next('connack')
    expect(connack.reasonCode).toBe(0)
    const assigned = connack.properties?.assignedClientIdentifier
    expect(assigned).toMatch(/.+/)
    expect(liveClientIds(broker.aedes)).toEqual([assigned])
  })
})
