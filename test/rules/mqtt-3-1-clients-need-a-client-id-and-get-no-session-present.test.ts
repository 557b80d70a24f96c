import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { brokerWithBystander } from '../robustness/closes.ts'
import { connectFrame } from '../robustness/frames.ts'

// MQTT 3.1 (protocol name 'MQIsdp', level 3), §3.1: the ClientID is 1-23
// characters; an empty one is refused with CONNACK 0x02 (zero-length ones
// came with 3.1.1 [MQTT-3.1.3-6]). §3.2: the first byte of CONNACK's
// variable header is reserved; 3.1.1 made it session present
// [MQTT-3.2.2-2], which a 3.1 CONNACK never sets.

/** A 3.1 CONNECT written by hand: mqtt-packet will not write one with an empty ClientID. */
async function connect31(url: string, clientId: string, clean: boolean) {
  const client = await RawClient.open(url)
  client.writeRaw(connectFrame({ name: 'MQIsdp', level: 3, clientId, clean }))
  return { client, connack: await client.next('connack') }
}

describe.each(transports)('over %s (MQTT 3.1)', (transport) => {
  test.each([true, false])(
    'an empty ClientID is refused with CONNACK 0x02 (clean=%s)',
    async (clean) => {
      const { url, untouched } = await brokerWithBystander(transport)
      const { client, connack } = await connect31(url, '', clean)
      expect(connack.returnCode).toBe(2)
      await client.waitClosed()
      await untouched()
    },
  )

  test('a resumed session is not flagged in CONNACK, where 3.1.1 flags it', async () => {
    const { url } = await brokerWithBystander(transport)
    const first = await connect31(url, 'old-device', false)
    expect(first.connack.returnCode).toBe(0)
    await first.client.subscribe('a', 1)
    await first.client.disconnect()
    const again = await connect31(url, 'old-device', false)
    expect([again.connack.returnCode, again.connack.sessionPresent]).toEqual([0, false])
    await again.client.disconnect()
    // the same session seen over 3.1.1 is present
    const { connack } = await RawClient.connect(url, { clientId: 'old-device', clean: false })
    expect(connack.sessionPresent).toBe(true)
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test('refuses an empty 3.1 ClientID with CONNACK 0x02 and does not flag a resumed 3.1 session', async () => {
    const url = await startMosquitto()
    expect((await connect31(url, '', true)).connack.returnCode).toBe(2)
    const first = await connect31(url, 'old-device', false)
    await first.client.subscribe('a', 1)
    await first.client.disconnect()
    expect((await connect31(url, 'old-device', false)).connack.sessionPresent).toBe(false)
  })
})
