import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import {
  connectClient,
  makeTestPki,
  mosquittoSub,
  mosquittoSubAvailable,
  opensslAvailable,
  tlsSettings,
} from '../helpers/tls.ts'

describe.skipIf(!opensslAvailable() || !mosquittoSubAvailable())('MQTT over TLS', () => {
  test('mosquitto_sub trusting the test CA receives what an mqtt client publishes over mqtts', async () => {
    const pki = await makeTestPki()
    const broker = await startBroker({ store: 'memory', ...tlsSettings(pki) })
    const url = new URL(broker.urls.mqtts ?? 'no mqtts listener')
    expect(url.protocol).toBe('mqtts:')
    expect(Number(url.port)).toBeGreaterThan(0)

    // -h 127.0.0.1: mosquitto_sub checks the name against the certificate's IP SAN
    const tls = ['--cafile', pki.ca.cert, '-h', '127.0.0.1', '-p', url.port]
    const sub = mosquittoSub([...tls, '-t', 't', '-C', '1'])
    await sub.subscribed
    const publisher = await connectClient(url.href, { ca: pki.ca.pem, clientId: 'tls-publisher' })
    await publisher.publishAsync('t', 'sent over mqtts', { qos: 1 })

    const { code, stdout, stderr } = await sub.exited
    expect(code, stderr).toBe(0)
    expect(stdout.split('\n')).toContain('sent over mqtts')
  })
})
