import type { Packet } from 'mqtt-packet'
import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { subscribeAll } from './auth-helpers.ts'

it('refuses a filter longer than --max-topic-length with 0x80 and closes a publisher to such a topic', async () => {
  const broker = await startBroker({ store: 'memory', maxTopicLength: 10 })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 's' })
  expect(await subscribeAll(client, ['short', 'much/too/long'], 0)).toEqual([0, 128])
  client.send({
    cmd: 'publish',
    topic: 'much/too/long',
    payload: Buffer.from('x'),
    qos: 0,
    retain: false,
    dup: false,
  } as Packet)
  await client.waitClosed()
})

it('closes the connection of a SUBSCRIBE or PUBLISH with more than --max-topic-levels levels', async () => {
  const broker = await startBroker({ store: 'memory', maxTopicLevels: 3 })
  const sub = await RawClient.connect(broker.urls.mqtt, { clientId: 's' })
  expect(await sub.client.subscribe('a/b/c', 0)).toEqual([0])
  sub.client.send({
    cmd: 'subscribe',
    messageId: 2,
    subscriptions: [{ topic: 'a/b/c/d', qos: 0 }],
  } as Packet)
  await sub.client.waitClosed()

  const pub = await RawClient.connect(broker.urls.mqtt, { clientId: 'p' })
  pub.client.send({
    cmd: 'publish',
    topic: 'a/b/c/d',
    payload: Buffer.from('x'),
    qos: 0,
    retain: false,
    dup: false,
  } as Packet)
  await pub.client.waitClosed()
})
