import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('a message queued for an offline session is a queued event; one sent live is not', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const first = await RawClient.connect(broker.urls.mqtt, { clientId: 'away', clean: false })
    await first.client.subscribe('cmd/#', 1)
    const { client: online } = await RawClient.connect(broker.urls.mqtt, {
      clientId: 'here',
      clean: false,
    })
    await online.subscribe('cmd/#', 1)
    await first.client.disconnect()

    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    await publish(pub, 'cmd/1', 'while away', 1, 2)

    const queued = await changes.next('queued', 'away')
    expect(queued.event).toMatchObject({ type: 'queued', topic: 'cmd/1', qos: 1, bytes: 10 })
    await online.next('publish')
    expect(changes.typesOf('here')).not.toContain('queued')
    const view = await broker.sessions.get('away')
    expect(view?.history.map((e) => e.type)).toContain('queued')
  })
})
