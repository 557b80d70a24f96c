import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import {
  connectClient,
  connectionRefusal,
  makeTestPki,
  mosquittoSub,
  mosquittoSubAvailable,
  opensslAvailable,
  tlsSettings,
} from '../helpers/tls.ts'

describe.skipIf(!opensslAvailable() || !mosquittoSubAvailable())(
  '--tls-require-client-cert',
  () => {
    test('clients without a certificate, or with one another CA signed, are refused at the handshake; CA-signed ones connect, mosquitto_sub too', async () => {
      const pki = await makeTestPki()
      const broker = await startBroker({
        store: 'memory',
        ...tlsSettings(pki),
        tlsCa: pki.ca.cert,
        tlsRequireClientCert: true,
      })
      const mqtts = broker.urls.mqtts ?? 'no mqtts listener'
      const wss = broker.urls.wss ?? 'no wss listener'
      const ca = pki.ca.pem

      // without a certificate, the server's TLS alert says why
      for (const [clientId, url] of [
        ['no-cert-mqtts', mqtts],
        ['no-cert-wss', wss],
      ] as const) {
        const err = await connectionRefusal(url, { ca, clientId, clean: false })
        expect(err, clientId).toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })
      }
      // with another CA's, the socket is closed (the alert may not be read before the reset)
      const stranger = { cert: pki.stranger.certPem, key: pki.stranger.keyPem }
      for (const [clientId, url] of [
        ['stranger-mqtts', mqtts],
        ['stranger-wss', wss],
      ] as const) {
        await connectionRefusal(url, { ca, clientId, clean: false, ...stranger })
      }
      // refused before any MQTT: the broker holds nothing for any of them
      for (const clientId of ['no-cert-mqtts', 'no-cert-wss', 'stranger-mqtts', 'stranger-wss']) {
        expect(await broker.sessions.get(clientId), clientId).toBeNull()
      }

      const mine = { ca, cert: pki.client.certPem, key: pki.client.keyPem }
      const overWss = await connectClient(wss, { ...mine, clientId: 'cert-wss' })
      await overWss.subscribeAsync('t', { qos: 1 })
      const atWss = new Promise<string>((resolve) =>
        overWss.once('message', (_topic, payload) => resolve(payload.toString())),
      )

      const port = new URL(mqtts).port
      const sub = mosquittoSub([
        ...['--cafile', pki.ca.cert, '--cert', pki.client.cert, '--key', pki.client.key],
        ...['-h', '127.0.0.1', '-p', port, '-t', 't', '-C', '1'],
      ])
      await sub.subscribed
      const overMqtts = await connectClient(mqtts, { ...mine, clientId: 'cert-mqtts' })
      await overMqtts.publishAsync('t', 'signed by the CA', { qos: 1 })

      const { code, stdout, stderr } = await sub.exited
      expect(code, stderr).toBe(0)
      expect(stdout.split('\n')).toContain('signed by the CA')
      expect(await atWss).toBe('signed by the CA')
    })
  },
)
