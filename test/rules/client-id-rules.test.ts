import { describe, expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transports)('over %s', (transport) => {
  test('a zero-length ClientID with CleanSession=1 is accepted and given an id', async () => {
    const broker = await startBroker()
    const { connack } = await RawClient.connect(urlFor(broker, transport), {
      clientId: '',
      clean: true,
    })
    expect(connack.returnCode).toBe(0)
    expect(connack.sessionPresent).toBe(false)
    const ids = liveClientIds(broker.aedes)
    expect(ids).toHaveLength(1)
    expect(ids[0].length).toBeGreaterThan(0)
  })

  test('a zero-length ClientID with CleanSession=0 gets CONNACK 0x02 and is closed', async () => {
    const broker = await startBroker()
    const client = await RawClient.open(urlFor(broker, transport))
    // mqtt-packet refuses to encode this CONNECT, so it is spelled out:
    // "MQTT", level 4, flags 0x00 (CleanSession=0), keepalive 0, ClientID ""
    client.writeRaw(Buffer.from([0x10, 0x0c, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 0, 0, 0]))
    const connack = await client.next('connack')
    expect(connack.returnCode).toBe(2) // [MQTT-3.1.3-8]
    await client.waitClosed()
    expect(await broker.store.openSession('')).toBe(false)
  })

  test('1-23 characters of [0-9a-zA-Z] are accepted, and longer UTF-8 ids up to the limit', async () => {
    const broker = await startBroker({ maxClientIdLength: 40 })
    const url = urlFor(broker, transport)
    for (const clientId of ['a', `${'Z9'.repeat(11)}x`, 'capteur-été/№1', 'x'.repeat(40)]) {
      const { connack } = await RawClient.connect(url, { clientId, clean: false })
      expect(connack.returnCode, clientId).toBe(0)
    }
  })

  test('an id over the configured limit is refused with 0x02, never with an unknown code', async () => {
    const broker = await startBroker({ maxClientIdLength: 40 })
    const url = urlFor(broker, transport)
    const { client, connack } = await RawClient.connect(url, {
      clientId: 'é'.repeat(21),
      clean: true,
    })
    expect(connack.returnCode).toBe(2)
    await client.waitClosed()
  })

  test('a keepalive over --max-keepalive is refused with 0x02, not aedes code 6', async () => {
    const broker = await startBroker({ maxKeepalive: 60 })
    const url = urlFor(broker, transport)
    const over = await RawClient.connect(url, { clientId: 'ka', keepalive: 61 })
    expect(over.connack.returnCode).toBe(2)
    const within = await RawClient.connect(url, { clientId: 'ka', keepalive: 60 })
    expect(within.connack.returnCode).toBe(0)
  })
})
