import mqtt from 'mqtt'
import { describe, expect, test } from 'vitest'
import { urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// Shared subscriptions (MQTT 5 §4.8.2, on MQTT 3.1.1 as Mosquitto allows):
// each message matching `$share/{group}/{filter}` goes to one member of the
// group, at QoS min(message, member's grant) [MQTT-4.8.2-3], round-robin over
// the connected members (docs/session-rules.md#shared-subscriptions).

type Received = { client: string; payload: string; qos: number; retain: boolean }

async function member(url: string, clientId: string, filter: string, qos: 0 | 1, got: Received[]) {
  const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0 })
  client.on('message', (_topic, payload, packet) =>
    got.push({
      client: clientId,
      payload: String(payload),
      qos: packet.qos,
      retain: packet.retain,
    }),
  )
  await client.subscribeAsync(filter, { qos })
  return client
}

function until(got: Received[], done: (got: Received[]) => boolean, clients: mqtt.MqttClient[]) {
  return new Promise<void>((resolve) => {
    const check = () => {
      if (!done(got)) return
      for (const c of clients) c.off('message', check)
      resolve()
    }
    for (const c of clients) c.on('message', check)
    check()
  })
}

describe.each(transportsAndAllStores)('over %s on %s (MQTT 3.1.1)', (transport, store) => {
  test('each message goes to exactly one member, round-robin, and every ordinary subscriber still gets it', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const shared: Received[] = []
    const plain: Received[] = []
    const members = [
      await member(url, 'worker-a', '$share/jobs/task/#', 1, shared),
      await member(url, 'worker-b', '$share/jobs/task/#', 1, shared),
      await member(url, 'worker-c', '$share/jobs/task/#', 1, shared),
    ]
    const watcher = await member(url, 'watcher', 'task/#', 1, plain)
    const publisher = await mqtt.connectAsync(url, { clientId: 'pub', reconnectPeriod: 0 })
    const n = 30
    for (let i = 0; i < n; i++) await publisher.publishAsync('task/x', `m${i}`, { qos: 1 })
    await publisher.publishAsync('task/x', 'end', { qos: 1 })
    // members are separate connections: wait for the count, not for the last one
    await until(plain, (g) => g.length >= n + 1, [watcher])
    await until(shared, (g) => g.length >= n + 1, members)

    const payloads = shared.filter((r) => r.payload !== 'end').map((r) => r.payload)
    expect(payloads.sort()).toEqual(Array.from({ length: n }, (_, i) => `m${i}`).sort())
    expect(plain).toHaveLength(n + 1)
    const perMember = ['worker-a', 'worker-b', 'worker-c'].map(
      (id) => shared.filter((r) => r.client === id).length,
    )
    // round-robin: 31 messages over three members
    expect(perMember.sort()).toEqual([10, 10, 11])
    expect(shared.every((r) => r.qos === 1 && !r.retain)).toBe(true)
  })

  test('a member gets the QoS it was granted and no retained message when it subscribes', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const publisher = await mqtt.connectAsync(url, { clientId: 'pub', reconnectPeriod: 0 })
    await publisher.publishAsync('task/old', 'retained', { qos: 1, retain: true })
    await publisher.publishAsync('fence/x', 'f', { qos: 1, retain: true })
    const got: Received[] = []
    const worker = await member(url, 'worker', '$share/jobs/task/#', 0, got)
    // a later SUBSCRIBE's retained message: the shared one's would have come first
    await worker.subscribeAsync('fence/#', { qos: 0 })
    await until(got, (g) => g.some((r) => r.payload === 'f'), [worker])
    await publisher.publishAsync('task/new', 'live', { qos: 1, retain: true })
    await until(got, (g) => g.some((r) => r.payload === 'live'), [worker])
    expect(got.map((r) => [r.payload, r.qos, r.retain])).toEqual([
      ['f', 0, true],
      ['live', 0, false],
    ])
  })

  test('ill-formed share names are refused with SUBACK 0x80 and the connection stays open', async () => {
    const { broker } = await startOn(store)
    const { client } = await RawClient.connect(urlFor(broker(), transport), { clientId: 'c' })
    client.send({
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: ['$share/a+b/x', '$share//x', '$share/g', '$share/g/x'].map((topic) => ({
        topic,
        qos: 1 as const,
      })),
    })
    const suback = await client.next('suback')
    expect(suback.granted).toEqual([0x80, 0x80, 0x80, 1])
    await client.ping()
    expect(client.closed).toBe(false)
  })
})
