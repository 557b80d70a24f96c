import { describe, expect, test } from 'vitest'
import { startBroker, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  test('an unacknowledged QoS 1 message is resent on resume with the same packet id and DUP=1', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const sub = await RawClient.connect(url, { clientId: 'slow', clean: false })
    await sub.client.subscribe('q1', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub' })
    pub.send(publishPacket('q1', 'hello', 1, 7))
    await pub.next('puback')

    const first = await sub.client.next('publish')
    expect(first.dup).toBe(false)
    await sub.client.destroy() // no PUBACK, network failure

    const resumed = await RawClient.connect(url, { clientId: 'slow', clean: false })
    const again = await resumed.client.next('publish')
    expect(again.messageId).toBe(first.messageId)
    expect(again.dup).toBe(true) // [MQTT-3.3.1-1], [MQTT-4.4.0-1]
    expect(again.payload.toString()).toBe('hello')
    resumed.client.send({ cmd: 'puback', messageId: again.messageId })
    await resumed.client.disconnect()

    // acknowledged now: a further resume delivers nothing
    const third = await RawClient.connect(url, { clientId: 'slow', clean: false })
    await third.client.ping()
    expect(third.client.unread).toEqual([])
  })

  test('a QoS 2 message not yet PUBRECed is resent with DUP=1, and PUBREL state resumes', async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const sub = await RawClient.connect(url, { clientId: 'q2sub', clean: false })
    await sub.client.subscribe('q2/+', 2)
    const { client: pub } = await RawClient.connect(url, { clientId: 'pub2' })
    pub.send(publishPacket('q2/a', 'A', 2, 1))
    await pub.next('pubrec')
    pub.send({ cmd: 'pubrel', messageId: 1 })
    await pub.next('pubcomp')
    pub.send(publishPacket('q2/b', 'B', 2, 2))
    await pub.next('pubrec')
    pub.send({ cmd: 'pubrel', messageId: 2 })
    await pub.next('pubcomp')

    const a = await sub.client.next('publish')
    const b = await sub.client.next('publish')
    expect([a.payload.toString(), b.payload.toString()]).toEqual(['A', 'B'])
    // A reaches PUBREL; B is never acknowledged
    sub.client.send({ cmd: 'pubrec', messageId: a.messageId })
    const rel = await sub.client.next('pubrel')
    expect(rel.messageId).toBe(a.messageId)
    await sub.client.destroy()

    const resumed = await RawClient.connect(url, { clientId: 'q2sub', clean: false })
    expect(resumed.connack.sessionPresent).toBe(true)
    const relAgain = await resumed.client.next('pubrel')
    expect(relAgain.messageId).toBe(a.messageId)
    const bAgain = await resumed.client.next('publish')
    expect([bAgain.messageId, bAgain.dup, bAgain.qos]).toEqual([b.messageId, true, 2])
    resumed.client.send({ cmd: 'pubcomp', messageId: a.messageId })
    resumed.client.send({ cmd: 'pubrec', messageId: b.messageId })
    await resumed.client.next('pubrel')
    resumed.client.send({ cmd: 'pubcomp', messageId: b.messageId })
    await resumed.client.disconnect()

    const done = await RawClient.connect(url, { clientId: 'q2sub', clean: false })
    await done.client.ping()
    expect(done.client.unread).toEqual([])
  })

  test("a publisher's DUP flag is not passed on to subscribers", async () => {
    const broker = await startBroker({ store })
    const url = urlFor(broker, transport)
    const sub = await RawClient.connect(url, { clientId: 'dupsub', clean: true })
    await sub.client.subscribe('d', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'duppub' })
    pub.send({ ...publishPacket('d', 'x', 1, 3), dup: true })
    await pub.next('puback')
    const got = await sub.client.next('publish')
    expect(got.dup).toBe(false) // [MQTT-3.3.1-3]
  })
})
