import fc from 'fast-check'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { describe, expect, test } from 'vitest'
import { FrameScanner } from '../../broker/aedes/frame-scanner.ts'
import { createSentCounts, type SentCounts } from '../../broker/metrics/traffic.ts'

function publish(qos: 0 | 1 | 2, payloadBytes: number, topic = 't'): Packet {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos,
    messageId: qos === 0 ? (undefined as never) : 7,
    retain: false,
    dup: false,
  }
}

/** Counts `bytes` fed to one scanner in the chunks that start at `cuts`. */
function scanInChunks(bytes: Buffer, cuts: number[]): SentCounts {
  const counts = createSentCounts()
  const scanner = new FrameScanner(counts)
  const starts = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)]
  starts.forEach((start, i) => {
    scanner.scan(bytes.subarray(start, starts[i + 1] ?? bytes.length))
  })
  return counts
}

const mixed: Packet[] = [
  publish(0, 5),
  { cmd: 'puback', messageId: 1 },
  publish(2, 200),
  { cmd: 'pingresp' },
  publish(1, 0),
  { cmd: 'suback', messageId: 2, granted: [1, 0x80] },
]
const mixedBytes = Buffer.concat(mixed.map((p) => mqttPacket.generate(p)))
// the scanner counts what is sent; bytes received are the writer's to count
const mixedCounts = {
  publishes: { 0: 1, 1: 1, 2: 1 },
  packets: 6,
  bytes: mixedBytes.length,
  bytesReceived: 0,
}

describe('the frame scanner', () => {
  test('counts several packets in one chunk', () => {
    expect(scanInChunks(mixedBytes, [])).toEqual(mixedCounts)
  })

  test('counts packets split across chunks at every byte', () => {
    const everyByte = Array.from({ length: mixedBytes.length }, (_, i) => i)
    expect(scanInChunks(mixedBytes, everyByte)).toEqual(mixedCounts)
    for (let cut = 1; cut < mixedBytes.length; cut++) {
      expect(scanInChunks(mixedBytes, [cut]), `cut at ${cut}`).toEqual(mixedCounts)
    }
  })

  // [MQTT-2.2.3]: 1 byte up to 127, 2 up to 16,383, 3 up to 2,097,151, 4 beyond
  test.each([
    [127, 1],
    [128, 2],
    [16_383, 2],
    [16_384, 3],
    [2_097_151, 3],
    [2_097_152, 4],
  ])('follows a Remaining Length of %i in %i byte(s), however it is split', (length, size) => {
    // Remaining Length of a QoS 0 PUBLISH to 't': topic length (2) + topic (1) + payload
    const frame = mqttPacket.generate(publish(0, length - 3))
    expect(frame.length).toBe(1 + size + length)
    const bytes = Buffer.concat([frame, mqttPacket.generate(publish(2, 1))])
    const expected = {
      publishes: { 0: 1, 1: 0, 2: 1 },
      packets: 2,
      bytes: bytes.length,
      bytesReceived: 0,
    }
    for (let cut = 1; cut <= size + 2; cut++) {
      expect(scanInChunks(bytes, [cut]), `cut at ${cut}`).toEqual(expected)
    }
    expect(scanInChunks(bytes, [1, 2, 3, 4, 5])).toEqual(expected)
  })

  test('counts any packets in any chunks as it counts them whole', () => {
    const packet = fc.oneof(
      fc
        .tuple(fc.constantFrom(0 as const, 1 as const, 2 as const), fc.nat(20_000))
        .map(([qos, bytes]) => publish(qos, bytes)),
      fc.constant<Packet>({ cmd: 'pingresp' }),
      fc.integer({ min: 1, max: 65535 }).map((id): Packet => ({ cmd: 'pubrel', messageId: id })),
    )
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 12 }), fc.array(fc.nat()), (packets, cuts) => {
        const bytes = Buffer.concat(packets.map((p) => mqttPacket.generate(p)))
        const publishes = { 0: 0, 1: 0, 2: 0 }
        for (const p of packets) if (p.cmd === 'publish') publishes[p.qos]++
        const whole = { publishes, packets: packets.length, bytes: bytes.length, bytesReceived: 0 }
        const chunked = scanInChunks(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        )
        expect(chunked).toEqual(whole)
      }),
      { numRuns: 200 },
    )
  })

  test('skips string chunks inside a body without reading them, and only there', () => {
    const counts = createSentCounts()
    const scanner = new FrameScanner(counts)
    // as mqtt-packet writes a PUBLISH: header, length, topic length, then the topic as a string
    const frame = mqttPacket.generate(publish(1, 2, 'a/b'))
    expect(scanner.skip(3)).toBe(false)
    scanner.scan(frame.subarray(0, 4))
    expect(scanner.skip(3)).toBe(true)
    expect(scanner.skip(5)).toBe(false)
    scanner.scan(frame.subarray(7))
    expect(scanner.skip(1)).toBe(false)
    expect(counts).toEqual({
      publishes: { 0: 0, 1: 1, 2: 0 },
      packets: 1,
      bytes: frame.length,
      bytesReceived: 0,
    })
  })
})
