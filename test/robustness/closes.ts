import { expect } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker, type Transport, urlFor } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { connectFrame } from './frames.ts'

/**
 * Sends `frame` on a new connection (after an accepted CONNECT when
 * `connected`) and waits for the broker to close it; the connection, with
 * whatever it received and did not take.
 */
export async function closesOn(url: string, frame: Buffer, connected: boolean): Promise<RawClient> {
  const client = await RawClient.open(url)
  if (connected) {
    client.writeRaw(connectFrame({ clientId: 'bad' }))
    expect((await client.next('connack')).returnCode).toBe(0)
  }
  client.writeRaw(frame)
  await client.waitClosed()
  return client
}

/**
 * A broker of the test with a bystander: a persistent session subscribed to
 * `ok`. `untouched()` asserts it still gets what is published to it.
 */
export async function brokerWithBystander(
  transport: Transport,
): Promise<{ broker: BrokerHandle; url: string; untouched(): Promise<void> }> {
  const broker = await startBroker({ store: 'memory' })
  const url = urlFor(broker, transport)
  const { client: bystander } = await RawClient.connect(url, {
    clientId: 'bystander',
    clean: false,
  })
  await bystander.subscribe('ok', 1)
  return {
    broker,
    url,
    async untouched() {
      const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
      await publish(pub, 'ok', 'fine', 1)
      expect((await bystander.next('publish')).payload.toString()).toBe('fine')
    },
  }
}
