import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { urlFor } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// [MQTT-4.7.1-3] and §4.7.3: a topic level may be empty (`foo//baz`,
// `test/topic/`, `/x`), and `+` matches one level, an empty one too
// (§4.7.1.3: "+/+" matches "/finance"). What live delivery does, the retained
// store and the offline queue must do too.

const CASES: [filter: string, topic: string][] = [
  ['foo/+/baz', 'foo//baz'],
  ['test/topic/+', 'test/topic/'],
  ['+/x', '/x'],
  ['+/+', '/'],
]

async function retain(url: string, topic: string, payload: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'retainer' })
  client.send({ ...publishPacket(topic, payload, 1), retain: true })
  await client.next('puback')
  await client.disconnect()
}

/** The topic of the first retained message a SUBSCRIBE to `filter` brings. */
async function firstRetained(url: string, filter: string): Promise<string> {
  const { client } = await RawClient.connect(url, { clientId: 'late' })
  await client.subscribe(filter, 1)
  const first = await client.next('publish')
  expect(first.retain).toBe(true)
  return first.topic
}

describe.each(transportsAndAllStores)('over %s on %s (MQTT 3.1.1)', (transport, store) => {
  test.each(CASES)(
    'a retained message on a topic with an empty level reaches %s (%s)',
    async (filter, topic) => {
      const { broker } = await startOn(store)
      const url = urlFor(broker(), transport)
      await retain(url, topic, 'retained')
      expect(await firstRetained(url, filter)).toBe(topic)
    },
  )

  test('a message on foo//baz is queued for an offline foo/+/baz subscription', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: away } = await RawClient.connect(url, { clientId: 'away', clean: false })
    await away.subscribe('foo/+/baz', 1)
    await away.disconnect()
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send(publishPacket('foo//baz', 'queued', 1))
    await pub.next('puback')
    const { client } = await RawClient.connect(url, { clientId: 'away', clean: false })
    expect((await client.next('publish')).topic).toBe('foo//baz')
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(CASES)('sends the retained message to %s (%s)', async (filter, topic) => {
    const url = await startMosquitto()
    await retain(url, topic, 'retained')
    expect(await firstRetained(url, filter)).toBe(topic)
  })
})
