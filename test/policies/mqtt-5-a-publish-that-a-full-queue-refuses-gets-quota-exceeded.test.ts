import type { IClientOptions, MqttClient } from 'mqtt'
import type { IPubackPacket, IPubrecPacket, Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { MAX_INBOUND_QOS2 } from '../../broker/aedes/safeguards.ts'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { connect5, nextMessage } from '../helpers/mqtt5.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { startOn, stores } from '../rules/stores.ts'
import { dropped, recordDrops } from './drops.ts'

// [MQTT-5: 3.4.2.1, 3.5.2.1] 0x97 Quota exceeded: the message was not queued
// for every session owed it (docs/policies.md, queue caps).
const QUOTA_EXCEEDED = 0x97

type Ack = IPubackPacket | IPubrecPacket

/** Every PUBACK/PUBREC the client receives, and every PUBREL it sends, from now on. */
function watch(client: MqttClient): {
  acks: Ack[]
  nextAck: () => Promise<Ack>
  pubrels: number[]
} {
  const acks: Ack[] = []
  const waiting: ((ack: Ack) => void)[] = []
  const pubrels: number[] = []
  client.on('packetreceive', (packet: Packet) => {
    if (packet.cmd !== 'puback' && packet.cmd !== 'pubrec') return
    acks.push(packet)
    waiting.shift()?.(packet)
  })
  client.on('packetsend', (packet: Packet) => {
    if (packet.cmd === 'pubrel' && packet.messageId !== undefined) pubrels.push(packet.messageId)
  })
  let taken = 0
  return {
    acks,
    pubrels,
    nextAck: () =>
      taken < acks.length
        ? Promise.resolve(acks[taken++])
        : new Promise((resolve) => {
            taken++
            waiting.push(resolve)
          }),
  }
}

/** A persistent session subscribed to `filter` at QoS 1, left offline. */
async function offlineSession(broker: BrokerHandle, clientId: string, filter: string) {
  const { client } = await connect5(broker.urls.mqtt, {
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  })
  await client.subscribeAsync(filter, { qos: 1 })
  const gone = new Promise<void>((resolve) =>
    broker.aedes.once('clientDisconnect', () => resolve()),
  )
  await client.endAsync()
  await gone
}

/** A publisher, MQTT 5 unless told otherwise. */
async function publisher(broker: BrokerHandle, options: IClientOptions = {}) {
  const { client } = await connect5(broker.urls.mqtt, { clientId: 'pub', ...options })
  return { client, ...watch(client) }
}

/** A publish whose answer is awaited through `nextAck` (MQTT.js rejects on a reason >= 0x80). */
function send(client: MqttClient, topic: string, payload: string, qos: 1 | 2): void {
  client.publish(topic, payload, { qos }, () => {})
}

const capped = (policy: 'newest' | 'oldest'): Partial<Config> => ({
  queueMaxMessages: 1,
  queueDropPolicy: policy,
})

describe.each(stores)('on %s', (store) => {
  test('a QoS 1 publish a full queue refuses gets PUBACK 0x97, and the other sessions get it all the same', async () => {
    const { broker } = await startOn(store, capped('newest'))
    await offlineSession(broker(), 'full', 'q/#')
    await offlineSession(broker(), 'empty', 'q/b')
    const { client: live } = await connect5(broker().urls.mqtt, { clientId: 'live' })
    await live.subscribeAsync(['q/b', 'solo'], { qos: 1 })
    const drops = recordDrops(broker())
    const pub = await publisher(broker())

    send(pub.client, 'q/a', 'first', 1) // fits 'full'
    expect((await pub.nextAck()).reasonCode ?? 0).toBe(0)
    send(pub.client, 'q/b', 'second', 1) // 'full' is full: refused there
    const ack = await pub.nextAck()
    expect(ack.cmd).toBe('puback')
    expect(ack.reasonCode).toBe(QUOTA_EXCEEDED)

    expect(drops).toEqual([dropped('full', 'q/b', 6, 'queue-full')])
    expect(await broker().store.queuedTotals('empty')).toEqual({ count: 1, bytes: 6 })
    expect((await nextMessage(live)).payload.toString()).toBe('second')
    // the next one no full queue is owed is answered 0x00 again
    send(pub.client, 'solo', 'third', 1)
    expect((await pub.nextAck()).reasonCode ?? 0).toBe(0)
    expect((await nextMessage(live)).payload.toString()).toBe('third')
  })

  test('an MQTT 3.1.1 publisher gets its plain PUBACK for the same refusal', async () => {
    const { broker } = await startOn(store, capped('newest'))
    await offlineSession(broker(), 'full', '#')
    const drops = recordDrops(broker())
    const pub = await publisher(broker(), { protocolVersion: 4 })

    await pub.client.publishAsync('a', 'first', { qos: 1 })
    // refused for 'full', yet acknowledged without error: 3.1.1 has no reason codes
    await pub.client.publishAsync('a', 'second', { qos: 1 })

    expect(pub.acks.map((ack) => [ack.cmd, ack.reasonCode])).toEqual([
      ['puback', undefined],
      ['puback', undefined],
    ])
    expect(drops).toEqual([dropped('full', 'a', 6, 'queue-full')])
  })

  test('an MQTT 3.1.1 QoS 2 publisher gets PUBREC 0x00 for the same refusal, its state kept until PUBREL', async () => {
    const { broker } = await startOn(store, capped('newest'))
    await offlineSession(broker(), 'full', '#')
    const { client: pub } = await RawClient.connect(broker().urls.mqtt, { clientId: 'pub311' })
    const qos2 = (messageId: number, payload: string) =>
      ({
        cmd: 'publish',
        topic: 'a',
        payload: Buffer.from(payload),
        qos: 2,
        messageId,
        retain: false,
        dup: false,
      }) as Packet
    pub.send(qos2(1, 'first'))
    await pub.next('pubrec')
    pub.send(qos2(2, 'second')) // refused for 'full'
    expect(await pub.next('pubrec')).toMatchObject({ messageId: 2 })

    // no reason code told it the flow ended: its PUBREL comes, so the state is there for it
    const ref = { id: 'pub311' }
    expect(await broker().store.incomingGetPacket(ref, { messageId: 2 })).toMatchObject({
      topic: 'a',
    })
    pub.send({ cmd: 'pubrel', messageId: 2 } as Packet)
    expect(await pub.next('pubcomp')).toMatchObject({ messageId: 2 })
    await expect(broker().store.incomingGetPacket(ref, { messageId: 2 })).rejects.toThrow()
  })

  test('under the oldest policy the new message is queued and the PUBACK is 0x00', async () => {
    const { broker } = await startOn(store, capped('oldest'))
    await offlineSession(broker(), 'full', '#')
    const drops = recordDrops(broker())
    const pub = await publisher(broker())

    send(pub.client, 'a', 'first', 1)
    send(pub.client, 'a', 'second', 1)
    expect((await pub.nextAck()).reasonCode ?? 0).toBe(0)
    expect((await pub.nextAck()).reasonCode ?? 0).toBe(0)

    // the oldest made room
    expect(drops).toEqual([dropped('full', 'a', 5, 'queue-full')])
    expect(await broker().store.queuedTotals('full')).toEqual({ count: 1, bytes: 6 })
  })

  test('a QoS 2 publish a full queue refuses gets PUBREC 0x97, ends there and leaves no incoming state', async () => {
    const { broker } = await startOn(store, capped('newest'))
    await offlineSession(broker(), 'full', '#')
    const pub = await publisher(broker())

    const first = pub.client.publishAsync('a', 'first', { qos: 2 })
    await first // PUBREC 0x00, PUBREL, PUBCOMP
    const refused = pub.client.publishAsync('a', 'second', { qos: 2 })
    await expect(refused).rejects.toMatchObject({ code: QUOTA_EXCEEDED })

    const [accepted, quota] = pub.acks
    expect([accepted.cmd, accepted.reasonCode ?? 0]).toEqual(['pubrec', 0])
    expect([quota.cmd, quota.reasonCode]).toEqual(['pubrec', QUOTA_EXCEEDED])
    // [MQTT-5: 4.3.3] no PUBREL for a PUBREC >= 0x80, and the broker keeps no state awaiting one
    expect(pub.pubrels).toEqual([accepted.messageId])
    const pubRef = { id: 'pub' }
    await expect(
      broker().store.incomingGetPacket(pubRef, { messageId: quota.messageId }),
    ).rejects.toThrow()
    await expect(
      broker().store.incomingGetPacket(pubRef, { messageId: accepted.messageId }),
    ).rejects.toThrow()
  })

  test('refused QoS 2 publishes take no slot of the inbound window: past its 1000, each still gets PUBREC 0x97', async () => {
    const { broker } = await startOn(store, capped('newest'))
    await offlineSession(broker(), 'full', '#')
    const pub = await RawClient.open(broker().urls.mqtt, { protocolVersion: 5 })
    pub.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'pub',
      clean: true,
      keepalive: 0,
    } as Packet)
    await pub.next('connack')
    // One fits, then more than MAX_INBOUND_QOS2 are refused, none PUBRELed, sent in batches
    // answered before the next (within the Receive Maximum): a slot each would close the
    // connection with DISCONNECT 0x93 in the third batch.
    const batch = 400
    const count = 1 + 3 * batch
    const codes = new Map<number, number>()
    for (let from = 1; from <= count; from += batch) {
      const to = Math.min(count, from + batch - 1)
      for (let messageId = from; messageId <= to; messageId++) {
        pub.send({
          cmd: 'publish',
          topic: 'a',
          payload: Buffer.from('x'),
          qos: 2,
          messageId,
          retain: false,
          dup: false,
        } as Packet)
      }
      for (let messageId = from; messageId <= to; messageId++) {
        const pubrec = (await pub.next('pubrec')) as IPubrecPacket
        codes.set(pubrec.messageId ?? 0, pubrec.reasonCode ?? 0)
      }
    }
    expect(count).toBeGreaterThan(MAX_INBOUND_QOS2)
    expect(codes.get(1)).toBe(0)
    expect([...codes].filter(([, code]) => code === QUOTA_EXCEEDED)).toHaveLength(count - 1)
    expect(pub.unread.filter((packet) => packet.cmd === 'disconnect')).toEqual([])
  })
})
