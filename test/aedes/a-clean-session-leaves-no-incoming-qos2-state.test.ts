import { describe, expect, test, vi } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

// [MQTT-3.1.2-6]: aedes 1.2.0 wiped it as the connection closed
// (GHSA-p8r9-qf8w-p73r), 2.0.0-beta.1 does not: broker/aedes/safeguards.ts
describe.each(['memory', 'sqlite'] as const)('on %s', (store) => {
  test('a QoS 2 PUBLISH never released is forgotten when its clean session ends', async () => {
    const broker = await startBroker({ store })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'c', clean: true })
    client.send(publishPacket('t', 'x', 2, 9))
    await client.next('pubrec')
    const incoming = async () => (await broker.store.sessionStats(['c'])).get('c')?.incoming ?? 0
    expect(await incoming()).toBe(1)

    const ended = new Promise((resolve) => broker.aedes.once('clientDisconnect', resolve))
    await client.disconnect()
    await ended
    await vi.waitFor(async () => expect(await incoming()).toBe(0))
  })

  test('a persistent session keeps it for its PUBREL after a reconnect', async () => {
    const broker = await startBroker({ store })
    const first = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    first.client.send(publishPacket('t', 'x', 2, 9))
    await first.client.next('pubrec')
    await first.client.disconnect()
    const again = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    expect((await broker.store.sessionStats(['p'])).get('p')?.incoming).toBe(1)
    again.client.send({ cmd: 'pubrel', messageId: 9 })
    expect((await again.client.next('pubcomp')).messageId).toBe(9)
  })
})
