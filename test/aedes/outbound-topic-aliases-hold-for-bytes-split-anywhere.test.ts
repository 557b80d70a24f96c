import fc from 'fast-check'
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { OutboundTopicAliases } from '../../broker/aedes/topic-aliases.ts'

// The writer hands OutboundTopicAliases the bytes as they are written:
// mqtt-packet writes a PUBLISH as several chunks, the QoS 0 fast path one
// whole frame, and a chunk may hold several frames. Wherever the bytes are
// cut, the same frames must leave, each PUBLISH aliased as if whole.

function publish(topic: string, payloadBytes: number, more: Partial<IPublishPacket> = {}): Packet {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos: 0,
    retain: false,
    dup: false,
    ...more,
  } as Packet
}

const packets: Packet[] = [
  publish('a/x', 5),
  { cmd: 'puback', messageId: 1, reasonCode: 0 },
  // a Remaining Length of 2 bytes, a packet id and properties of its own
  publish('a/y', 200, { qos: 1, messageId: 7, properties: { contentType: 'text/plain' } }),
  { cmd: 'pingresp' },
  publish('a/x', 0, { qos: 2, messageId: 8, retain: true }),
  // a resend goes as it is
  publish('a/y', 3, { qos: 1, messageId: 7, dup: true }),
  publish('a/z', 20_000, { properties: { userProperties: { k: 'v' } } }),
  publish('a/y', 1),
]
const bytes = Buffer.concat(packets.map((p) => mqttPacket.generate(p, { protocolVersion: 5 })))

/** What leaves for `bytes` fed in the chunks that start at `cuts`. */
function aliasInChunks(cuts: number[]): Buffer {
  const aliases = new OutboundTopicAliases(10)
  const starts = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)]
  const out: Buffer[] = []
  starts.forEach((start, i) => {
    out.push(...aliases.take(bytes.subarray(start, starts[i + 1] ?? bytes.length)))
  })
  return Buffer.concat(out)
}

function parse(wire: Buffer): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 5 })
  const got: Packet[] = []
  parser.on('packet', (p: Packet) => got.push(p))
  parser.on('error', (e: Error) => {
    throw e
  })
  parser.parse(wire)
  return got
}

const whole = aliasInChunks([])

describe('outbound topic aliases', () => {
  test('alias every PUBLISH but the resend, and leave the other packets as they are', () => {
    const sent = parse(whole)
    expect(sent.map((p) => p.cmd)).toEqual(packets.map((p) => p.cmd))
    const publishes = sent.filter((p): p is IPublishPacket => p.cmd === 'publish')
    expect(publishes.map((p) => [p.topic, p.properties?.topicAlias, p.dup])).toEqual([
      ['a/x', 1, false],
      ['a/y', 2, false],
      ['', 1, false],
      ['a/y', undefined, true],
      ['a/z', 3, false],
      ['', 2, false],
    ])
    // everything else is kept: payload, packet id, flags, the other properties
    const expected = packets.filter((p): p is IPublishPacket => p.cmd === 'publish')
    publishes.forEach((p, i) => {
      const { topicAlias: _alias, ...properties } = p.properties ?? {}
      const e = expected[i] as IPublishPacket
      expect([p.payload.length, p.qos, p.messageId, p.retain]).toEqual([
        (e.payload as Buffer).length,
        e.qos,
        e.messageId,
        e.retain,
      ])
      expect(properties).toEqual(e.properties ?? {})
    })
  })

  test('the same bytes leave wherever the chunks are cut', () => {
    for (let cut = 1; cut < 300; cut++) {
      expect(aliasInChunks([cut]).equals(whole), `cut at ${cut}`).toBe(true)
    }
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) =>
        aliasInChunks(cuts).equals(whole),
      ),
    )
  })

  test('a frame that is not a PUBLISH passes at once, without waiting for the next', () => {
    const aliases = new OutboundTopicAliases(10)
    const puback = mqttPacket.generate({ cmd: 'puback', messageId: 1 }, { protocolVersion: 5 })
    expect(Buffer.concat(aliases.take(puback)).equals(puback)).toBe(true)
    const first = mqttPacket.generate(publish('a/x', 3), { protocolVersion: 5 })
    expect(aliases.take(first.subarray(0, 4))).toEqual([])
    expect(parse(Buffer.concat(aliases.take(first.subarray(4))))).toMatchObject([
      { cmd: 'publish', topic: 'a/x', properties: { topicAlias: 1 } },
    ])
  })
})
