import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { QueuePage } from '../../broker/inspector/types.ts'
import { startBroker } from '../helpers/broker.ts'
import { publish, publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { call, sessionPath } from './http-client.ts'

async function queue(broker: BrokerHandle, clientId: string, query = ''): Promise<QueuePage> {
  const answer = await call<QueuePage>(broker, sessionPath(clientId, `/queue${query}`))
  expect(answer.status).toBe(200)
  return answer.body
}

describe.each([true, false])('with CleanSession=%s', (clean) => {
  test('messages sent and not acknowledged are listed in flight, with what each waits for', async () => {
    const broker = await startBroker({ store: 'sqlite' })
    const { client: sub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'sub', clean })
    await sub.subscribe('plant/#', 2)
    const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    const before = Date.now()
    await publish(pub, 'plant/temp', '81', 1, 1)
    const first = await sub.next('publish')
    await publish(pub, 'plant/raw', Buffer.from([0, 0xff, 0x1b]), 2, 2)
    const second = await sub.next('publish')

    const page = await queue(broker, 'sub')
    expect(page.entries).toMatchObject([
      {
        state: 'inflight',
        awaiting: 'puback',
        messageId: first.messageId,
        topic: 'plant/temp',
        qos: 1,
        retain: false,
        payloadBytes: 2,
        preview: '81',
        previewKind: 'text',
      },
      {
        state: 'inflight',
        awaiting: 'pubrec',
        messageId: second.messageId,
        topic: 'plant/raw',
        qos: 2,
        payloadBytes: 3,
        preview: '00ff1b',
        previewKind: 'hex',
      },
    ])
    expect(page.entries[0].queuedAt).toBeGreaterThanOrEqual(before)

    // one a page: the cursor reads on in the order sent
    const one = await queue(broker, 'sub', '?limit=1')
    expect(one.entries.map((e) => e.messageId)).toEqual([first.messageId])
    const rest = await queue(broker, 'sub', `?limit=1&cursor=${encodeURIComponent(one.next ?? '')}`)
    expect(rest.entries.map((e) => e.messageId)).toEqual([second.messageId])
    expect(rest.next).toBeNull()

    // [MQTT-4.3.3-1] after PUBREC the PUBREL waits for PUBCOMP; acknowledged, it is gone
    sub.send({ cmd: 'puback', messageId: first.messageId })
    sub.send({ cmd: 'pubrec', messageId: second.messageId })
    await sub.next('pubrel')
    expect((await queue(broker, 'sub')).entries).toMatchObject([
      { state: 'inflight', awaiting: 'pubcomp', messageId: second.messageId },
    ])
    sub.send({ cmd: 'pubcomp', messageId: second.messageId })
    await sub.ping()
    expect((await queue(broker, 'sub')).entries).toEqual([])
  })

  test('an incoming QoS 2 message awaiting PUBREL is listed on the first page, and goes with PUBREL', async () => {
    const broker = await startBroker({ store: 'sqlite' })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean })
    client.send({ ...publishPacket('plant/cmd', '<script>x</script>', 2, 7), retain: true })
    await client.next('pubrec')
    client.send(publishPacket('plant/cmd', 'two', 2, 3))
    await client.next('pubrec')

    const page = await queue(broker, 'dev')
    expect(page.incoming).toEqual([
      {
        messageId: 3,
        topic: 'plant/cmd',
        qos: 2,
        dup: false,
        retain: false,
        payloadBytes: 3,
        preview: 'two',
        previewKind: 'text',
      },
      {
        messageId: 7,
        topic: 'plant/cmd',
        qos: 2,
        dup: false,
        retain: true,
        payloadBytes: 18,
        preview: '<script>x</script>',
        previewKind: 'text',
      },
    ])
    expect((await queue(broker, 'dev', '?limit=1')).incoming.map((e) => e.messageId)).toEqual([3])

    client.send({ cmd: 'pubrel', messageId: 7 })
    await client.next('pubcomp')
    expect((await queue(broker, 'dev')).incoming.map((e) => e.messageId)).toEqual([3])
  })
})

test('an offline persistent session still lists the message in flight when it dropped, and its incoming QoS 2 state', async () => {
  const broker = await startBroker({ store: 'sqlite' })
  const changes = new SessionChanges(broker.sessions)
  const { client: sub } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'sub',
    clean: false,
  })
  await sub.subscribe('plant/#', 1)
  sub.send(publishPacket('cmd/boiler', 'held', 2, 9))
  await sub.next('pubrec')
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  await publish(pub, 'plant/temp', '81', 1, 1)
  const sent = await sub.next('publish')
  await sub.destroy()
  await changes.next('disconnect', 'sub')
  await publish(pub, 'plant/temp', '82', 1, 2)

  const page = await queue(broker, 'sub')
  expect(page.entries.map((e) => [e.state, e.messageId, e.preview, e.dup])).toEqual([
    // [MQTT-3.3.1-1] sent before: its next send carries DUP=1
    ['inflight', sent.messageId, '81', true],
    ['queued', null, '82', false],
  ])
  expect(page.incoming.map((e) => [e.messageId, e.preview])).toEqual([[9, 'held']])
})
