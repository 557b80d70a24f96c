import { expect, test } from 'vitest'
import { liveClientIds } from '../../broker/aedes/instance.ts'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

// aedes 2.0.0-beta.1 keys these maps by the client's text in plain objects, where
// 1.2.0 had fixed it (GHSA-52qw-whmv-87c5): broker/aedes/safeguards.ts
const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty']

test('ClientIDs named like the properties every object has connect, resume and are taken over', async () => {
  const broker = await startBroker({ store: 'memory' })
  const url = broker.urls.mqtt
  for (const clientId of NAMES) {
    const first = await RawClient.connect(url, { clientId, clean: false })
    expect(first.connack.returnCode, clientId).toBe(0)
    const again = await RawClient.connect(url, { clientId, clean: false })
    expect(again.connack.returnCode, clientId).toBe(0)
    expect(again.connack.sessionPresent, clientId).toBe(true)
    await first.client.waitClosed()
  }
  expect(liveClientIds(broker.aedes).sort()).toEqual([...NAMES].sort())
})

test('topic filters named like them are subscribed and delivered to', async () => {
  const broker = await startBroker({ store: 'memory' })
  const url = broker.urls.mqtt
  const { client } = await RawClient.connect(url, { clientId: 'sub' })
  const { client: publisher } = await RawClient.connect(url, { clientId: 'pub' })
  for (const topic of NAMES) {
    expect(await client.subscribe(topic, 1), topic).toEqual([1])
    await publish(publisher, topic, `to ${topic}`, 1)
    const got = await client.next('publish')
    expect([got.topic, got.payload.toString()]).toEqual([topic, `to ${topic}`])
    client.send({ cmd: 'puback', messageId: got.messageId ?? 0 })
  }
})
