import { expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

/** Publishes a retained QoS 1 message and waits for its PUBACK (stored by then). */
async function retain(client: RawClient, topic: string, payload: string, messageId: number) {
  client.send({ ...publishPacket(topic, payload, 1, messageId), retain: true })
  await client.next('puback')
}

test("the broker's $SYS/ retained messages are served from memory and never written to the store", async () => {
  // --sys-interval 10 (the default): the $SYS topics are published, retained, at start
  const broker = await startBroker({ store: 'sqlite' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'publisher' })
  await retain(client, 'plant/boiler', 'on', 1)
  await retain(client, '$SYS', 'a client may retain the bare $SYS', 2) // not under $SYS/

  // the store holds the clients' two; the broker's own are counted beside it
  expect(await broker.store.countRetained()).toBe(2)
  expect(await broker.stats.retained()).toBeGreaterThan(2)

  // a late $SYS/# subscriber still gets them at once, retained, and the bare $SYS [MQTT-4.7.1-2]
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('$SYS/#', 0)
  const got = new Map<string, boolean>()
  while (!got.has('$SYS/broker/uptime') || !got.has('$SYS')) {
    const p = await watcher.next('publish')
    got.set(p.topic, p.retain)
  }
  expect([...got.values()].every((flag) => flag)).toBe(true)
  expect(got.has('plant/boiler')).toBe(false)

  // and # gets the clients' messages, none under $SYS/ [MQTT-4.7.2-1] (nor the bare
  // `$SYS`: see a-filter-starting-with-a-wildcard-matches-no-topic-starting-with-dollar)
  const { client: everything } = await RawClient.connect(broker.urls.mqtt, { clientId: 'all' })
  await everything.subscribe('#', 0)
  const topics: string[] = []
  while (!topics.includes('plant/boiler')) topics.push((await everything.next('publish')).topic)
  await everything.ping()
  for (const p of everything.unread) if (p.cmd === 'publish') topics.push(p.topic)
  expect(topics.filter((topic) => topic.startsWith('$SYS/'))).toEqual([])
})
