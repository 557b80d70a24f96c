import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('a CleanSession=0 client resumes its subscription and receives what was queued, in order', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const first = await RawClient.connect(url, { clientId: 'device1', clean: false })
    expect(first.connack.sessionPresent).toBe(false)
    expect(await first.client.subscribe('fleet/+/cmd', 2)).toEqual([2])
    await first.client.disconnect()

    const { client: publisher } = await RawClient.connect(url, { clientId: 'pub' })
    publisher.send({
      cmd: 'publish',
      topic: 'fleet/a/cmd',
      payload: Buffer.from('one'),
      qos: 1,
      messageId: 10,
      retain: false,
      dup: false,
    })
    await publisher.next('puback')
    publisher.send({
      cmd: 'publish',
      topic: 'fleet/b/cmd',
      payload: Buffer.from('two'),
      qos: 2,
      messageId: 11,
      retain: false,
      dup: false,
    })
    await publisher.next('pubrec')
    publisher.send({ cmd: 'pubrel', messageId: 11 })
    await publisher.next('pubcomp')
    publisher.send({
      cmd: 'publish',
      topic: 'fleet/c/cmd',
      payload: Buffer.from('lost'),
      qos: 0,
      retain: false,
      dup: false,
      messageId: undefined as never,
    })
    await publisher.ping()

    const second = await RawClient.connect(url, { clientId: 'device1', clean: false })
    expect(second.connack.sessionPresent).toBe(true)
    const one = await second.client.next('publish')
    expect([one.topic, one.payload.toString(), one.qos, one.dup]).toEqual([
      'fleet/a/cmd',
      'one',
      1,
      false,
    ])
    second.client.send({ cmd: 'puback', messageId: one.messageId })
    const two = await second.client.next('publish')
    expect([two.topic, two.payload.toString(), two.qos, two.dup]).toEqual([
      'fleet/b/cmd',
      'two',
      2,
      false,
    ])
    second.client.send({ cmd: 'pubrec', messageId: two.messageId })
    await second.client.next('pubrel')
    second.client.send({ cmd: 'pubcomp', messageId: two.messageId })

    // the resumed subscription is live: no re-SUBSCRIBE needed
    publisher.send({
      cmd: 'publish',
      topic: 'fleet/d/cmd',
      payload: Buffer.from('live'),
      qos: 1,
      messageId: 12,
      retain: false,
      dup: false,
    })
    const live = await second.client.next('publish')
    expect(live.payload.toString()).toBe('live')
    // QoS 0 published while offline is not queued
    expect(second.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])
  })
})
