import mqtt from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { FrameReader, type FrameSink } from './frame-reader.ts'
import { publishEncoder, sequenceOf } from './publisher.ts'

function recorder(): { sink: FrameSink; seen: string[] } {
  const seen: string[] = []
  const sink: FrameSink = {
    publish: (qos, packetId, payload) =>
      seen.push(`publish q${qos} #${packetId} s${sequenceOf(payload)}`),
    ack: (type, packetId) => seen.push(`${type} #${packetId}`),
    other: (frame) => seen.push(`other 0x${(frame[0] ?? 0).toString(16)} ${frame.length}B`),
  }
  return { sink, seen }
}

describe('FrameReader', () => {
  const stream = Buffer.concat([
    mqtt.generate({ cmd: 'connack', returnCode: 0, sessionPresent: true }),
    publishEncoder('bench/drain')(7, 42),
    mqtt.generate({ cmd: 'puback', messageId: 300 }),
    publishEncoder('a/much/longer/topic'.repeat(10))(65_535, 9),
    publishEncoder('bench/fanout', 0)(0, 5),
    publishEncoder('bench/live/0', 2)(8, 6),
    mqtt.generate({ cmd: 'pubrec', messageId: 8 }),
    mqtt.generate({ cmd: 'pubrel', messageId: 8 }),
    mqtt.generate({ cmd: 'pubcomp', messageId: 8 }),
  ])
  const expected = [
    'other 0x20 4B',
    'publish q1 #7 s42',
    'puback #300',
    'publish q1 #65535 s9',
    'publish q0 #0 s5',
    'publish q2 #8 s6',
    'pubrec #8',
    'pubrel #8',
    'pubcomp #8',
  ]

  it('decodes PUBLISH and the QoS 1/2 acknowledgements in place and hands other packets over whole', () => {
    const { sink, seen } = recorder()
    new FrameReader().push(stream, sink)
    expect(seen).toEqual(expected)
  })

  it('gives the same packets whatever the TCP chunking, one byte at a time included', () => {
    for (const size of [1, 2, 3, 5, 64]) {
      const { sink, seen } = recorder()
      const reader = new FrameReader()
      for (let at = 0; at < stream.length; at += size)
        reader.push(stream.subarray(at, at + size), sink)
      expect(seen).toEqual(expected)
    }
  })
})
