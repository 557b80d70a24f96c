import { connectAsync, type MqttClient } from 'mqtt'
import { expect, it, onTestFinished } from 'vitest'
import { startChildBroker } from '../helpers/child-broker.ts'

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const client = await connectAsync(url, { clientId, reconnectPeriod: 0 })
  onTestFinished(() => client.endAsync(true))
  return client
}

it('prints the chosen ports, and both addresses carry MQTT to each other', async () => {
  const broker = await startChildBroker([
    '--store',
    'memory',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
  ])
  const tcpPort = Number(new URL(broker.mqttUrl).port)
  const wsPort = Number(new URL(broker.wsUrl).port)
  expect(tcpPort).toBeGreaterThan(0)
  expect(wsPort).toBeGreaterThan(0)
  expect(wsPort).not.toBe(tcpPort)
  expect(new URL(broker.wsUrl).pathname).toBe('/mqtt')

  const overTcp = await connect(broker.mqttUrl, 'over-tcp')
  const overWs = await connect(broker.wsUrl, 'over-ws')
  await overWs.subscribeAsync('port-zero/#', { qos: 1 })
  await overTcp.subscribeAsync('port-zero/#', { qos: 1 })

  const atWs = new Promise<string>((resolve) =>
    overWs.once('message', (_topic, payload) => resolve(payload.toString())),
  )
  await overTcp.publishAsync('port-zero/from-tcp', 'hello over tcp', { qos: 1 })
  expect(await atWs).toBe('hello over tcp')

  const atTcp = new Promise<string>((resolve) =>
    overTcp.on('message', (topic, payload) => {
      if (topic === 'port-zero/from-ws') resolve(payload.toString())
    }),
  )
  await overWs.publishAsync('port-zero/from-ws', 'hello over ws', { qos: 1 })
  expect(await atTcp).toBe('hello over ws')
})

it('gives two brokers started on port 0 different ports', async () => {
  const args = ['--store', 'memory', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const [a, b] = await Promise.all([startChildBroker(args), startChildBroker(args)])
  expect(new Set([a.mqttUrl, a.wsUrl, b.mqttUrl, b.wsUrl]).size).toBe(4)
})
