import { describe, expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { mosquittoSub, mosquittoSubAvailable } from '../helpers/tls.ts'

// [MQTT-3.1.2-2]: 'MQTT' level 5 is MQTT 5, which SessionLab speaks beside
// 3.1 and 3.1.1 (broker/rules/protocol-level.ts decides which levels).
describe.each(transports)('over %s', (transport) => {
  test('an MQTT 5 CONNECT gets an MQTT 5 CONNACK: reason 0x00 and its properties', async () => {
    const broker = await startBroker({ store: 'memory' })
    const { connack } = await connect5(urlFor(broker, transport), { clientId: 'v5' })
    expect([connack.reasonCode, connack.sessionPresent]).toEqual([0, false])
    // aedes 2 advertises what it lacks [MQTT-3.2.2-13]
    expect(connack.properties).toBeDefined()
    expect(liveClientIds(broker.aedes)).toEqual(['v5'])
  })

  test('MQTT 3.1, 3.1.1 and 5 clients connect to the same broker', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    for (const protocolVersion of [3, 4, 5] as const) {
      const protocolId = protocolVersion === 3 ? 'MQIsdp' : 'MQTT'
      const clientId = `v${protocolVersion}`
      const { connack } = await connect5(url, { clientId, protocolVersion, protocolId })
      expect(connack.reasonCode ?? connack.returnCode).toBe(0)
    }
    expect(liveClientIds(broker.aedes).sort()).toEqual(['v3', 'v4', 'v5'])
  })
})

test.runIf(mosquittoSubAvailable())(
  'mosquitto_sub -V mqttv5 subscribes and prints what is published',
  async () => {
    const broker = await startBroker({ store: 'memory' })
    const port = new URL(broker.urls.mqtt).port
    const sub = mosquittoSub(['-V', 'mqttv5', '-p', port, '-h', '127.0.0.1', '-t', 't', '-C', '1'])
    await sub.subscribed
    const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
    await client.publishAsync('t', 'over mqtt 5', { qos: 1 })
    const { code, stdout } = await sub.exited
    expect(code).toBe(0)
    expect(stdout).toMatch(/^over mqtt 5$/m)
  },
)
