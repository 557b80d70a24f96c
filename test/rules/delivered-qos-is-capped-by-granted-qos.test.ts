import { describe, expect, test } from 'vitest'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

// [MQTT-3.8.4-6]: delivered QoS = min(message QoS, granted QoS)
describe.each(transports)('over %s', (transport) => {
  test('live delivery through an exact filter is downgraded', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: sub } = await RawClient.connect(url, { clientId: 's1' })
    await sub.subscribe('x/y', 1)
    const { client: pub } = await RawClient.connect(url, { clientId: 'p1' })
    await publish(pub, 'x/y', 'm', 2, 1)
    expect((await sub.next('publish')).qos).toBe(1)
  })

  test('live delivery through a wildcard filter is downgraded', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: sub } = await RawClient.connect(url, { clientId: 's2', clean: false })
    await sub.subscribe('x/#', 1)
    const { client: zero } = await RawClient.connect(url, { clientId: 's0' })
    await zero.subscribe('x/+', 0)
    const { client: pub } = await RawClient.connect(url, { clientId: 'p2' })
    await publish(pub, 'x/y', 'm', 2, 1)
    const got = await sub.next('publish')
    expect(got.qos).toBe(1)
    sub.send({ cmd: 'puback', messageId: got.messageId })
    expect((await zero.next('publish')).qos).toBe(0)
  })

  test('queued delivery to an offline session is downgraded', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const first = await RawClient.connect(url, { clientId: 's3', clean: false })
    await first.client.subscribe('q/+', 1)
    await first.client.disconnect()
    const { client: pub } = await RawClient.connect(url, { clientId: 'p3' })
    await publish(pub, 'q/a', 'queued', 2, 1)
    const resumed = await RawClient.connect(url, { clientId: 's3', clean: false })
    const got = await resumed.client.next('publish')
    expect([got.payload.toString(), got.qos]).toEqual(['queued', 1])
  })

  // An exact filter with a lower QoS still wins inside aedes (client.js:140); see docs/session-rules.md, "Known limit".
  test('overlapping wildcard subscriptions deliver once, at the highest granted QoS', async () => {
    const broker = await startBroker()
    const url = urlFor(broker, transport)
    const { client: sub } = await RawClient.connect(url, { clientId: 's4' })
    await sub.subscribe('o/+', 0, 1)
    await sub.subscribe('o/#', 1, 2)
    await sub.subscribe('+/k', 0, 3)
    const { client: pub } = await RawClient.connect(url, { clientId: 'p4' })
    await publish(pub, 'o/k', 'once', 2, 1)
    const got = await sub.next('publish')
    expect(got.qos).toBe(1)
    sub.send({ cmd: 'puback', messageId: got.messageId })
    await sub.ping()
    expect(sub.unread.filter((p) => p.cmd === 'publish')).toEqual([])
  })
})
