import { connect as connectTcp } from 'node:net'
import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import {
  connectClient,
  connectionRefusal,
  makeTestPki,
  opensslAvailable,
  tlsSettings,
} from '../helpers/tls.ts'

// an MQTT 3.1.1 CONNECT (ClientID "x", CleanSession=1, keepalive 60), sent in clear
const CLEAR_CONNECT = Buffer.from('100d00044d5154540402003c000178', 'hex')

describe.skipIf(!opensslAvailable())('TLS handshake failures', () => {
  test('clients that do not trust the certificate fail the handshake, a clear-text CONNECT is closed, and the broker carries on', async () => {
    const pki = await makeTestPki()
    const broker = await startBroker({ store: 'memory', ...tlsSettings(pki) })
    const mqtts = broker.urls.mqtts ?? 'no mqtts listener'
    const wss = broker.urls.wss ?? 'no wss listener'

    // no `ca`: the test CA is in no trust store, so the client refuses the server
    const overMqtts = await connectionRefusal(mqtts, { clientId: 'untrusting-1', clean: false })
    expect(overMqtts).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    const overWss = await connectionRefusal(wss, { clientId: 'untrusting-2', clean: false })
    expect(overWss).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    // trusting another CA is no better
    const strangers = { ca: pki.stranger.certPem, clientId: 'untrusting-3', clean: false }
    expect(await connectionRefusal(mqtts, strangers)).toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    })

    // MQTT in clear on the TLS port is not a handshake: the broker closes the socket
    const socket = connectTcp(Number(new URL(mqtts).port), '127.0.0.1')
    const closed = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('error', () => {})
      socket.once('close', () => resolve(Buffer.concat(chunks)))
    })
    socket.write(CLEAR_CONNECT)
    // whatever came back (a TLS alert, or nothing), it was no CONNACK (0x20)
    expect((await closed)[0]).not.toBe(0x20)

    // none of them reached aedes: no session was made for any of them
    for (const clientId of ['untrusting-1', 'untrusting-2', 'untrusting-3']) {
      expect(await broker.sessions.get(clientId), clientId).toBeNull()
    }
    // and the listeners still serve clients that trust the CA
    const ca = pki.ca.pem
    const subscriber = await connectClient(wss, { ca, clientId: 'trusting-sub' })
    await subscriber.subscribeAsync('after', { qos: 1 })
    const received = new Promise<string>((resolve) =>
      subscriber.once('message', (_topic, payload) => resolve(payload.toString())),
    )
    const publisher = await connectClient(mqtts, { ca, clientId: 'trusting-pub' })
    await publisher.publishAsync('after', 'still serving', { qos: 1 })
    expect(await received).toBe('still serving')
  })
})
