import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { brokerWithBystander, closesOn } from './closes.ts'
import { connectFrame } from './frames.ts'

// A CONNECT is malformed, and the connection closed without CONNACK, when:
// its Will topic is empty [MQTT-4.7.3-1]; its Will QoS is 3 [MQTT-3.1.2-14];
// its payload holds a Will, user name or password whose flag is 0
// [MQTT-3.1.2-18] [MQTT-3.1.2-20]; or, in 3.1.1, it has the Password flag
// without the User Name flag [MQTT-3.1.2-22] (MQTT 5 allows that: a v5
// case goes beside these, expecting CONNACK 0).

const WILL = 0x04
const USERNAME = 0x80
const PASSWORD = 0x40
const CLEAN = 0x02

const MALFORMED: [string, Buffer][] = [
  ['a zero-length Will topic', connectFrame({ will: { topic: '' } })],
  ['Will QoS 3', connectFrame({ will: { topic: 'lwt', qos: 3 } })],
  ['a Will with the Will flag 0', connectFrame({ will: { topic: 'lwt' }, flags: CLEAN })],
  ['a user name with the User Name flag 0', connectFrame({ username: 'u', flags: CLEAN })],
  [
    'a password with the Password flag 0',
    connectFrame({ username: 'u', password: 'p', flags: CLEAN | USERNAME }),
  ],
  [
    'the Password flag without the User Name flag',
    connectFrame({ password: 'p', flags: CLEAN | PASSWORD }),
  ],
  [
    'a Will and a user name, the Will flag 0',
    connectFrame({ will: { topic: 'lwt' }, username: 'u', flags: CLEAN | USERNAME }),
  ],
]

describe.each(transports)('over %s (MQTT 3.1.1)', (transport) => {
  test.each(MALFORMED)(
    'a CONNECT with %s is closed without CONNACK, and nobody else is touched',
    async (_name, frame) => {
      const { url, untouched } = await brokerWithBystander(transport)
      const client = await closesOn(url, frame, false)
      expect(client.unread).toEqual([])
      await untouched()
    },
  )

  test('the same fields with their flags right are accepted', async () => {
    const { url } = await brokerWithBystander(transport)
    const frame = connectFrame({ will: { topic: 'lwt', qos: 2 }, username: 'u', password: 'p' })
    expect(frame[9] & (WILL | USERNAME | PASSWORD)).toBe(WILL | USERNAME | PASSWORD)
    const client = await RawClient.open(url)
    client.writeRaw(frame)
    expect((await client.next('connack')).returnCode).toBe(0)
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(MALFORMED)('closes a CONNECT with %s without CONNACK', async (_name, frame) => {
    const url = await startMosquitto()
    const client = await closesOn(url, frame, false)
    expect(client.unread).toEqual([])
  })
})
