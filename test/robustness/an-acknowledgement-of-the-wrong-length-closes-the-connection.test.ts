import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { brokerWithBystander, closesOn } from './closes.ts'

// In MQTT 3.1 and 3.1.1, PUBACK, PUBREC, PUBREL and PUBCOMP hold exactly a
// packet id: Remaining Length 2. A shorter one is malformed [MQTT-4.8.0-1]:
// the connection is closed, the packet neither ignored nor answered (aedes'
// parser read the missing bytes from whatever followed). MQTT 5 allows more
// than 2 (reason code, properties), never less: a v5 case goes beside these.

const ACKS: [string, number][] = [
  ['PUBACK', 0x40],
  ['PUBREC', 0x50],
  ['PUBREL', 0x62],
  ['PUBCOMP', 0x70],
]

const SHORT = ACKS.flatMap(([name, header]) => [
  [`${name} with Remaining Length 0`, Buffer.from([header, 0x00])],
  [`${name} with Remaining Length 1`, Buffer.from([header, 0x01, 0x01])],
  // a PINGREQ right behind: the parser must not take its bytes for the packet id
  [`${name} with Remaining Length 0, then a PINGREQ`, Buffer.from([header, 0x00, 0xc0, 0x00])],
]) as [string, Buffer][]

describe.each(transports)('over %s (MQTT 3.1.1)', (transport) => {
  test.each(SHORT)('a %s closes that connection', async (_name, frame) => {
    const { url, untouched } = await brokerWithBystander(transport)
    const client = await closesOn(url, frame, true)
    expect(client.unread).toEqual([])
    await untouched()
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(SHORT)('closes the connection on a %s', async (_name, frame) => {
    const client = await closesOn(await startMosquitto(), frame, true)
    expect(client.unread).toEqual([])
  })
})
