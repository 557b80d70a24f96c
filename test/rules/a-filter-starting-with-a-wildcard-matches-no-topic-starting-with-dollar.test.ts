import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { urlFor } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// [MQTT-4.7.2-1]: a filter whose first level is a wildcard (`#`, `+`,
// `+/...`) matches no topic starting with `$`: neither live, nor retained, nor
// queued for an offline session. A filter that names the `$` level does.

const WILDCARD_FIRST = ['#', '+', '+/x', '+/+']

async function retain(url: string, topic: string, payload: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'retainer' })
  client.send({ ...publishPacket(topic, payload, 1), retain: true })
  await client.next('puback')
  await client.disconnect()
}

/**
 * Subscribes to each filter in turn; the topics of the retained messages
 * that came: the `expected` number (a store may stream them after SUBACK),
 * and any more that came by the time a PINGRESP answers.
 */
async function retainedFor(url: string, filters: string[], expected: number): Promise<string[]> {
  const { client } = await RawClient.connect(url, { clientId: 'late' })
  for (const [i, filter] of filters.entries()) await client.subscribe(filter, 1, i + 1)
  const topics: string[] = []
  while (topics.length < expected) topics.push((await client.next('publish')).topic)
  await client.ping()
  for (const p of client.unread) if (p.cmd === 'publish') topics.push(p.topic)
  return topics
}

/** Subscribes and reads retained messages until each test of `wanted` has held for one. */
async function retainedUntil(
  url: string,
  filters: string[],
  wanted: ((topic: string) => boolean)[],
): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'named' })
  for (const [i, filter] of filters.entries()) await client.subscribe(filter, 1, i + 1)
  let missing = wanted
  while (missing.length > 0) {
    const { topic } = await client.next('publish')
    missing = missing.filter((test) => !test(topic))
  }
}

describe.each(transportsAndAllStores)('over %s on %s (MQTT 3.1.1)', (transport, store) => {
  test('retained messages on $ topics reach only filters that name the $ level', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    await retain(url, '$app/x', 'dollar')
    await retain(url, '$SYS', 'bare $SYS') // a client may retain it: not under $SYS/
    await retain(url, 'app/x', 'plain')

    // `#`, `+/x` and `+/+` match app/x; `+` matches none of the three
    const topics = await retainedFor(url, WILDCARD_FIRST, 3)
    expect(topics.sort()).toEqual(['app/x', 'app/x', 'app/x'])
    // filters naming the $ level get the clients' and the broker's own $SYS/...
    // (published at start, --sys-interval 10; under $SYS/<node>/ on Redis)
    await retainedUntil(
      url,
      ['$app/#', '$SYS/#'],
      [
        (topic) => topic === '$app/x',
        (topic) => topic === '$SYS',
        (topic) => topic.startsWith('$SYS/') && topic.endsWith('/uptime'),
      ],
    )
  })

  test('a wildcard-first subscription of an offline session queues nothing from $ topics', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: away } = await RawClient.connect(url, { clientId: 'away', clean: false })
    for (const [i, filter] of WILDCARD_FIRST.entries()) await away.subscribe(filter, 1, i + 1)
    await away.disconnect()
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send(publishPacket('$app/x', 'dollar', 1, 1))
    await pub.next('puback')
    pub.send(publishPacket('app/x', 'plain', 1, 2))
    await pub.next('puback')

    const { client } = await RawClient.connect(url, { clientId: 'away', clean: false })
    const first = await client.next('publish')
    expect(first.topic).toBe('app/x')
    client.send({ cmd: 'puback', messageId: first.messageId as number })
    await client.ping()
    expect(client.unread).toEqual([])
  })

  test('live, a $ topic reaches $app/# and not #', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const { client: all } = await RawClient.connect(url, { clientId: 'all' })
    await all.subscribe('#', 1)
    const { client: dollar } = await RawClient.connect(url, { clientId: 'dollar' })
    await dollar.subscribe('$app/#', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send(publishPacket('$app/x', 'dollar', 0))
    pub.send(publishPacket('app/x', 'plain', 0))
    expect((await dollar.next('publish')).topic).toBe('$app/x')
    expect((await all.next('publish')).topic).toBe('app/x')
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test('sends no retained $ topic to a wildcard-first filter', async () => {
    const url = await startMosquitto()
    await retain(url, '$app/x', 'dollar')
    await retain(url, 'app/x', 'plain')
    expect((await retainedFor(url, WILDCARD_FIRST, 3)).sort()).toEqual(['app/x', 'app/x', 'app/x'])
    expect(await retainedFor(url, ['$app/#'], 1)).toEqual(['$app/x'])
  })
})
