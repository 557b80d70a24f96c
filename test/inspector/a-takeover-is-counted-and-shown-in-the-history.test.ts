import { describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'

describe.each(['sqlite', 'memory'] as const)('on the %s store', (store) => {
  test('a persistent session counts each takeover; its history tells why the old connection closed', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const first = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    await changes.next('connect', 'dev')

    await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    await first.client.waitClosed()
    const { event: closed } = await changes.next('disconnect', 'dev')
    const { event: second } = await changes.next('connect', 'dev')
    const third = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
    await changes.next('connect', 'dev')

    expect(closed.reason).toBe('takeover')
    expect(second).toMatchObject({ clean: false, sessionPresent: true })
    expect(third.connack.sessionPresent).toBe(true)
    const view = await broker.sessions.get('dev')
    expect(view).toMatchObject({ connected: true, takeovers: 2 })
    expect(view?.history.map((e) => (e.type === 'disconnect' ? e.reason : e.type))).toEqual([
      'connect',
      'takeover',
      'connect',
      'takeover',
      'connect',
    ])
  })

  test('a clean session taken over by a clean connection counts it too', async () => {
    const broker = await startBroker({ store })
    const changes = new SessionChanges(broker.sessions)
    const first = await RawClient.connect(broker.urls.mqtt, { clientId: 'tmp' })
    await RawClient.connect(broker.urls.mqtt, { clientId: 'tmp' })
    await first.client.waitClosed()
    await changes.next('connect', 'tmp')
    await changes.next('connect', 'tmp')

    expect(await broker.sessions.get('tmp')).toMatchObject({
      connected: true,
      clean: true,
      takeovers: 1,
    })
  })
})
