import mqttPacket from 'mqtt-packet'
import { expect, test } from 'vitest'
import { MAX_INBOUND_QOS2 } from '../../broker/aedes/safeguards.ts'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

// aedes 1.2.0's maxInflightInbound, which 2.0.0-beta.1 dropped: broker/aedes/safeguards.ts
const publishes = (from: number, to: number) => {
  const frames: Buffer[] = []
  for (let id = from; id <= to; id++)
    frames.push(mqttPacket.generate(publishPacket('t', 'x', 2, id)))
  return Buffer.concat(frames)
}

async function pubrecs(client: RawClient, count: number) {
  for (let i = 0; i < count; i++) await client.next('pubrec')
}

test('a client holding 1000 QoS 2 PUBLISHes without PUBREL is closed at the next new one', async () => {
  expect(MAX_INBOUND_QOS2).toBe(1000)
  const broker = await startBroker({ store: 'memory' })
  const errors: string[] = []
  broker.aedes.on('clientError', (_client, err) => errors.push(err.message))
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'q', clean: false })
  client.writeRaw(publishes(1, MAX_INBOUND_QOS2))
  await pubrecs(client, MAX_INBOUND_QOS2)

  // a retransmission takes no new slot, and a PUBREL frees one
  client.send({ ...publishPacket('t', 'x', 2, 1), dup: true })
  await client.next('pubrec')
  client.send({ cmd: 'pubrel', messageId: 1 })
  await client.next('pubcomp')
  client.writeRaw(publishes(MAX_INBOUND_QOS2 + 1, MAX_INBOUND_QOS2 + 1))
  await client.next('pubrec')
  expect(client.closed).toBe(false)

  client.writeRaw(publishes(MAX_INBOUND_QOS2 + 2, MAX_INBOUND_QOS2 + 2))
  await client.waitClosed()
  expect(errors).toEqual([expect.stringMatching(/^maxInflightInbound exceeded: 1000 /)])
})
