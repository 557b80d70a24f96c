import type { MqttClient } from 'mqtt'
import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { connectClient, makeTestPki, opensslAvailable, tlsSettings } from '../helpers/tls.ts'

function nextMessage(client: MqttClient, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return
      client.off('message', onMessage)
      resolve(payload.toString())
    }
    client.on('message', onMessage)
  })
}

describe.skipIf(!opensslAvailable())('MQTT over WebSocket over TLS', () => {
  test('a wss client gets what clients over mqtts, plain TCP and plain WebSocket publish, and they get its messages', async () => {
    const pki = await makeTestPki()
    const broker = await startBroker({ store: 'memory', ...tlsSettings(pki) })
    const wssUrl = new URL(broker.urls.wss ?? 'no wss listener')
    expect(wssUrl.protocol).toBe('wss:')
    expect(wssUrl.pathname).toBe('/mqtt')
    // the plain listeners stay, each on its own port
    const ports = [broker.urls.mqtt, broker.urls.ws, broker.urls.mqtts, broker.urls.wss]
    expect(new Set(ports.map((url) => new URL(url ?? '').port)).size).toBe(4)

    const overWss = await connectClient(wssUrl.href, { ca: pki.ca.pem, clientId: 'over-wss' })
    await overWss.subscribeAsync('mixed/#', { qos: 1 })
    const overMqtts = await connectClient(broker.urls.mqtts ?? '', { ca: pki.ca.pem })
    await overMqtts.subscribeAsync('mixed/from-wss', { qos: 1 })
    const overTcp = await connectClient(broker.urls.mqtt, {})
    const overWs = await connectClient(broker.urls.ws, {})

    for (const [client, from] of [
      [overMqtts, 'mqtts'],
      [overTcp, 'tcp'],
      [overWs, 'ws'],
    ] as const) {
      const received = nextMessage(overWss, `mixed/from-${from}`)
      await client.publishAsync(`mixed/from-${from}`, `hello from ${from}`, { qos: 1 })
      expect(await received).toBe(`hello from ${from}`)
    }

    const back = nextMessage(overMqtts, 'mixed/from-wss')
    await overWss.publishAsync('mixed/from-wss', 'hello from wss', { qos: 1 })
    expect(await back).toBe('hello from wss')
  })
})
