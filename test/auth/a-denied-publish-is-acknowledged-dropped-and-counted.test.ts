import type { Packet } from 'mqtt-packet'
import { expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call } from '../http/http-client.ts'
import { sample } from '../metrics/prom-text.ts'
import { PASSWD_7, tempFile } from './auth-helpers.ts'

it('acknowledges a denied PUBLISH at its QoS, delivers and retains it nowhere, and counts it', async () => {
  const acl = ['user alice', 'topic read #', 'topic write ok/#', 'user bob', 'topic read #'].join(
    '\n',
  )
  const broker = await startBroker({
    store: 'memory',
    passwordFile: PASSWD_7,
    aclFile: tempFile('acl', acl),
  })
  const watcher = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'watcher',
    username: 'bob',
    password: 'bob-secret',
  })
  expect(await watcher.client.subscribe('#', 2)).toEqual([2])
  const { client } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'pub',
    username: 'alice',
    password: 'alice-secret',
  })

  await publish(client, 'not/ok', 'q0', 0)
  await publish(client, 'not/ok', 'q1', 1, 1)
  const q2 = { cmd: 'publish', topic: 'not/ok', payload: Buffer.from('q2'), qos: 2, messageId: 2 }
  client.send({ ...q2, retain: true, dup: false } as Packet)
  expect((await client.next('pubrec')).messageId).toBe(2)
  client.send({ cmd: 'pubrel', messageId: 2 } as Packet)
  expect((await client.next('pubcomp')).messageId).toBe(2)
  expect(broker.auth.counts.deniedPublishes).toBe(3)
  const metrics = (await call<string>(broker, '/metrics')).text
  expect(sample(metrics, 'sessionlab_refused_total', { what: 'publish' })).toBe(3)

  // the publisher stays connected and an allowed message still flows
  await publish(client, 'ok/1', 'allowed', 1, 3)
  const delivered = await watcher.client.next('publish')
  expect(delivered.topic).toBe('ok/1')
  expect(watcher.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])

  // nothing was retained under the denied topic
  const late = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'late',
    username: 'bob',
    password: 'bob-secret',
  })
  await late.client.subscribe('not/#', 0)
  await late.client.ping()
  expect(late.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])
})

it('withholds from a wide subscription the messages of a denied topic', async () => {
  const acl = [
    'user alice',
    'topic readwrite #',
    'user bob',
    'topic read #',
    'topic deny secret/#',
  ].join('\n')
  const broker = await startBroker({
    store: 'memory',
    passwordFile: PASSWD_7,
    aclFile: tempFile('acl', acl),
  })
  const bob = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'b',
    username: 'bob',
    password: 'bob-secret',
  })
  expect(await bob.client.subscribe('#', 0)).toEqual([0])
  const alice = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'a',
    username: 'alice',
    password: 'alice-secret',
  })
  await publish(alice.client, 'secret/plan', 'x', 0)
  await publish(alice.client, 'open/news', 'y', 0)
  expect((await bob.client.next('publish')).topic).toBe('open/news')
  expect(bob.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])
})
