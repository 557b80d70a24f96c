import { spawn } from 'node:child_process'
import mqttPacket from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { MOSQUITTO_SUB } from '../helpers/tls.ts'

// aedes 2 accepts MQTT 5; SessionLab does not speak it yet (broker/aedes/stages.ts
// PROTOCOL_LEVELS) and refuses it as aedes 1.2 did [MQTT-3.1.2-2]
describe.each(transports)('over %s', (transport) => {
  test('an MQTT 5 CONNECT gets CONNACK 0x01 in 3.1.1 form and is closed', async () => {
    const broker = await startBroker({ store: 'memory' })
    const client = await RawClient.open(urlFor(broker, transport))
    const connect = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'v5' }
    client.writeRaw(
      mqttPacket.generate({ ...connect, clean: true, keepalive: 0 } as mqttPacket.IConnectPacket, {
        protocolVersion: 5,
      }),
    )
    const connack = await client.next('connack')
    expect([connack.returnCode, connack.sessionPresent, connack.length]).toEqual([1, false, 2])
    await client.waitClosed()
    expect(liveClientIds(broker.aedes)).toEqual([])
  })
})

test('mosquitto_sub -V mqttv5 is told the protocol version is unsupported', async () => {
  const broker = await startBroker({ store: 'memory' })
  const port = new URL(broker.urls.mqtt).port
  const sub = spawn(MOSQUITTO_SUB, ['-V', 'mqttv5', '-p', port, '-h', '127.0.0.1', '-t', 't'])
  let stderr = ''
  sub.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => sub.on('close', resolve))
  expect(code).not.toBe(0)
  expect(stderr).toMatch(/unsupported protocol version/i)
})

test('MQTT 3.1 and 3.1.1 still connect', async () => {
  const broker = await startBroker({ store: 'memory' })
  for (const protocolVersion of [3, 4] as const) {
    const { connack } = await RawClient.connect(broker.urls.mqtt, {
      clientId: `v${protocolVersion}`,
      protocolVersion,
    })
    expect(connack.returnCode).toBe(0)
  }
})
