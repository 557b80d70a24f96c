import { expect, test } from 'vitest'
import { sysValues } from '../../broker/sys.ts'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

test.each(['sqlite', 'memory'] as const)(
  'on %s, subscriptions/count holds clean and persistent sessions, online or offline',
  async (store) => {
    const broker = await startBroker({ store, sysInterval: 0 })
    const count = async () => (await sysValues(broker.stats))['$SYS/broker/subscriptions/count']
    const url = broker.urls.mqtt

    const { client: clean } = await RawClient.connect(url, { clientId: 'clean' })
    await clean.subscribe('a/#', 0)
    await clean.subscribe('b', 1, 2)
    const { client: kept } = await RawClient.connect(url, { clientId: 'kept', clean: false })
    await kept.subscribe('c', 0)
    await kept.subscribe('d/+', 2, 2)
    expect(await count()).toBe('4')

    await kept.disconnect() // offline, its session and subscriptions kept
    expect(await count()).toBe('4')
    await clean.disconnect() // a clean session's subscriptions go with it
    expect(await count()).toBe('2')
  },
)

test("retained messages/count follows the clients' retained messages, one per topic", async () => {
  const broker = await startBroker({ store: 'memory', sysInterval: 0 })
  const count = async () =>
    Number((await sysValues(broker.stats))['$SYS/broker/retained messages/count'])
  expect(await count()).toBe(0)

  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  for (const [messageId, topic, payload] of [
    [1, 'x/1', 'on'],
    [2, 'x/2', 'on'],
    [3, 'x/2', ''], // an empty retained payload removes it [MQTT-3.3.1-10]
  ] as const) {
    client.send({ ...publishPacket(topic, payload, 1, messageId), retain: true })
    await client.next('puback')
  }
  expect(await count()).toBe(1)
})
