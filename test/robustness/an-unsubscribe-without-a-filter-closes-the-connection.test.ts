import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { brokerWithBystander, closesOn } from './closes.ts'
import { unsubscribeFrame } from './frames.ts'

// [MQTT-3.10.3-2]: an UNSUBSCRIBE holds at least one topic filter; one
// without is malformed: the connection is closed, no UNSUBACK. (The same in
// MQTT 5 [MQTT-3.10.3-2].)

describe.each(transports)('over %s (MQTT 3.1.1)', (transport) => {
  test('an UNSUBSCRIBE with no topic filter closes that connection without UNSUBACK', async () => {
    const { url, untouched } = await brokerWithBystander(transport)
    const client = await closesOn(url, unsubscribeFrame([], 7), true)
    expect(client.unread).toEqual([])
    await untouched()
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test('closes the connection on an UNSUBSCRIBE with no topic filter', async () => {
    const client = await closesOn(await startMosquitto(), unsubscribeFrame([], 7), true)
    expect(client.unread).toEqual([])
  })
})
