import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { transports } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { brokerWithBystander } from '../robustness/closes.ts'
import { connectFrame } from '../robustness/frames.ts'

// [MQTT-3.1.2-2]: a CONNECT whose protocol level the broker does not speak
// is answered with CONNACK 0x01 (unacceptable protocol version) and the
// connection closed. 'MQIsdp' is MQTT 3.1, level 3; 'MQTT' is 3.1.1, level 4
// (and MQTT 5, level 5, for which another session answers). A name neither
// of these may be closed without CONNACK [MQTT-3.1.2-1].

const LEVELS: [string, number][] = [
  ['MQTT', 2],
  ['MQTT', 6],
  ['MQTT', 3],
  ['MQIsdp', 4],
  ['MQIsdp', 2],
]

async function refusal(url: string, name: string, level: number): Promise<number> {
  const client = await RawClient.open(url)
  client.writeRaw(connectFrame({ name, level, clientId: 'versioned' }))
  const connack = await client.next('connack')
  await client.waitClosed()
  return connack.returnCode as number
}

describe.each(transports)('over %s', (transport) => {
  test.each(LEVELS)(
    'a CONNECT of protocol %s level %i gets CONNACK 0x01 and is closed',
    async (name, level) => {
      const { url, untouched } = await brokerWithBystander(transport)
      expect(await refusal(url, name, level)).toBe(1)
      await untouched()
    },
  )
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(LEVELS)('answers protocol %s level %i with CONNACK 0x01', async (name, level) => {
    expect(await refusal(await startMosquitto(), name, level)).toBe(1)
  })
})
