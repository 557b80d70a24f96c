import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

const will = { topic: 'lwt/dev', payload: 'gone', qos: 1 as const }

describe.each(transports)('over %s', (transport) => {
  test('a client silent for 1.5x its keepalive is dropped and its Will published', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'w', keepalive: 0 })
    await watcher.subscribe('lwt/#', 1)
    const started = Date.now()
    const { client: silent } = await RawClient.connect(url, { clientId: 'dev', keepalive: 1, will })
    const published = await watcher.next('publish')
    const elapsed = Date.now() - started
    expect(published.payload.toString()).toBe('gone')
    await silent.waitClosed()
    // [MQTT-3.1.2-24]: 1.5 x 1 s, not earlier
    expect(elapsed).toBeGreaterThanOrEqual(1500)
  })

  test('a client that keeps pinging within its keepalive is not dropped', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client } = await RawClient.connect(url, { clientId: 'alive', keepalive: 1 })
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500)) // the client's own ping cadence
      await client.ping()
    }
    expect(client.closed).toBe(false)
  })

  test('DISCONNECT discards the Will; a network failure publishes it', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: watcher } = await RawClient.connect(url, { clientId: 'w' })
    await watcher.subscribe('lwt/#', 1)
    const polite = await RawClient.connect(url, {
      clientId: 'polite',
      will: { ...will, payload: 'polite' },
    })
    await polite.client.disconnect()
    const rude = await RawClient.connect(url, {
      clientId: 'rude',
      will: { ...will, payload: 'rude' },
    })
    await rude.client.destroy()
    const published = await watcher.next('publish')
    expect(published.payload.toString()).toBe('rude')
    await watcher.ping()
    expect(watcher.unread).toEqual([])
  })
})
