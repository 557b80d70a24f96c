import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { brokerWithBystander, closesOn } from './closes.ts'
import { publishFrame, subscribeFrame, unsubscribeFrame } from './frames.ts'

// [MQTT-2.3.1-1]: SUBSCRIBE, UNSUBSCRIBE and QoS 1/2 PUBLISH carry a
// non-zero packet id; one with id 0 is malformed: the connection is closed,
// never acknowledged. (The same in MQTT 5 [MQTT-2.2.1-3].)

const ZERO_ID: [string, Buffer][] = [
  ['a QoS 1 PUBLISH', publishFrame('t', 1, 0)],
  ['a QoS 2 PUBLISH', publishFrame('t', 2, 0)],
  ['a SUBSCRIBE', subscribeFrame('t', 0)],
  ['an UNSUBSCRIBE', unsubscribeFrame(['t'], 0)],
]

describe.each(transports)('over %s (MQTT 3.1.1)', (transport) => {
  test.each(ZERO_ID)(
    '%s with packet id 0 closes that connection, unacknowledged',
    async (_name, frame) => {
      const { url, untouched } = await brokerWithBystander(transport)
      const client = await closesOn(url, frame, true)
      expect(client.unread).toEqual([])
      await untouched()
    },
  )
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(ZERO_ID)('closes the connection on %s with packet id 0', async (_name, frame) => {
    const client = await closesOn(await startMosquitto(), frame, true)
    expect(client.unread).toEqual([])
  })
})
