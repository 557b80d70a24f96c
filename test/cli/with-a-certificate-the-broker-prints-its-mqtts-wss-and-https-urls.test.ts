import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { freePortArgs, startChildBroker } from '../helpers/child-broker.ts'
import { connectClient, httpsGet, makeTestPki, opensslAvailable } from '../helpers/tls.ts'

describe.skipIf(!opensslAvailable())('TLS from the CLI', () => {
  test('with --tls-cert and --tls-key it prints mqtts, wss and https addresses on free ports, each serving', async () => {
    const pki = await makeTestPki()
    const broker = await startChildBroker([
      ...['--store', 'memory', ...freePortArgs(join(tempDir(), 'data'))],
      ...['--tls-cert', pki.server.cert, '--tls-key', pki.server.key],
    ])
    const [, mqtts = ''] = await broker.printed(/MQTT over TLS +(mqtts:\/\/\S+)\n/)
    const [, wss = ''] = await broker.printed(/MQTT over WSS +(wss:\/\/\S+)\n/)
    const [, https = ''] = await broker.printed(/HTTP API +(https:\/\/\S+)\n/)
    await broker.printed(/dashboard +https:\/\/\S+\/\n/)
    // the plain ones are still printed and served, every port its own
    const ports = [broker.mqttUrl, broker.wsUrl, mqtts, wss, https].map((url) => new URL(url).port)
    expect(new Set(ports).size).toBe(5)
    expect(ports).not.toContain('0')

    const ca = pki.ca.pem
    await connectClient(mqtts, { ca, clientId: 'over-mqtts' })
    await connectClient(wss, { ca, clientId: 'over-wss' })
    await connectClient(broker.mqttUrl, { clientId: 'over-tcp' })
    expect((await httpsGet(`${https}/healthz`, ca)).status).toBe(200)

    const exit = await broker.kill('SIGTERM')
    expect(exit.code).toBe(0)
  })
})
