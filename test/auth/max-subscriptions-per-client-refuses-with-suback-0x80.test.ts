import { describe, expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { subscribeAll } from './auth-helpers.ts'

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  it('grants --max-subscriptions filters per client, refuses the next with 0x80, and never stores it', async () => {
    const broker = await startBroker({ store, maxSubscriptions: 2 })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 's', clean: false })
    expect(await subscribeAll(client, ['a', 'b', 'c'], 0)).toEqual([0, 0, 128])
    // subscribing again to a held filter is not a new one
    expect(await subscribeAll(client, ['a', 'd'], 1, 2)).toEqual([1, 128])
    client.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['b'] })
    await client.next('unsuback')
    expect(await subscribeAll(client, ['d'], 0, 4)).toEqual([0])
    await client.destroy()

    const resumed = await RawClient.connect(broker.urls.mqtt, { clientId: 's', clean: false })
    expect(resumed.connack.sessionPresent).toBe(true)
    const view = await broker.sessions.get('s')
    expect(view?.subscriptions.map((s) => s.topic).sort()).toEqual(['a', 'd'])
    // the restored two count: a third is refused
    expect(await subscribeAll(resumed.client, ['e'], 0, 5)).toEqual([128])
    expect(broker.auth.counts.deniedSubscriptions).toBe(3)
  })
})
