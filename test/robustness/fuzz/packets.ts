import fc from 'fast-check'
import mqttPacket, { type Packet } from 'mqtt-packet'

// Valid MQTT 3.1.1 packets (what mqtt-packet's `generate` writes), then
// byte-level mutations of the stream they make: the broker's parser sees
// everything from "valid" to "garbage that looks almost like MQTT".

const qos = fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>
const messageId = fc.integer({ min: 1, max: 65535 })
const level = fc.oneof(
  fc.constantFrom('a', 'b', '+', '#', '$SYS', '', 'fuzz'),
  fc.string({ maxLength: 6 }),
)
const filter = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/'))
const topic = filter.map((t) => t.replace(/[+#]/g, 'x') || 'empty')
const payload = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))
// a few fixed ids so that fuzz connections also take each other's sessions over
const clientId = fc.oneof(fc.constantFrom('', 'fuzz-a', 'fuzz-b'), fc.string({ maxLength: 24 }))

const connect = fc
  .record({
    clientId,
    clean: fc.boolean(),
    keepalive: fc.constantFrom(0, 1, 60, 65535),
    protocolVersion: fc.constantFrom(3, 4),
    will: fc.option(fc.record({ topic, payload, qos, retain: fc.boolean() }), { nil: undefined }),
    username: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
    password: fc.option(payload, { nil: undefined }),
  })
  .map(
    (c): Packet =>
      ({
        cmd: 'connect',
        protocolId: c.protocolVersion === 4 ? 'MQTT' : 'MQIsdp',
        ...c,
        // mqtt-packet refuses a password without a username, as 3.1.1 does
        password: c.username === undefined ? undefined : c.password,
      }) as Packet,
  )

const publish = fc
  .record({ topic, payload, qos, messageId, dup: fc.boolean(), retain: fc.boolean() })
  .map((p): Packet => ({ cmd: 'publish', ...p }))

const subscribe = fc
  .record({
    messageId,
    subscriptions: fc.array(fc.record({ topic: filter, qos }), { minLength: 1, maxLength: 3 }),
  })
  .map((s): Packet => ({ cmd: 'subscribe', ...s }))

const unsubscribe = fc
  .record({ messageId, unsubscriptions: fc.array(filter, { minLength: 1, maxLength: 3 }) })
  .map((u): Packet => ({ cmd: 'unsubscribe', ...u }))

const ack = fc
  .record({ cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp'), messageId })
  .map((a) => a as Packet)

const bare = fc.constantFrom<Packet>({ cmd: 'pingreq' }, { cmd: 'disconnect' })

/** Any packet a client may send after CONNECT (and CONNECT again, a protocol violation). */
const afterConnect = fc.oneof(
  { weight: 4, arbitrary: publish },
  { weight: 2, arbitrary: subscribe },
  { weight: 1, arbitrary: unsubscribe },
  { weight: 2, arbitrary: ack },
  { weight: 1, arbitrary: bare },
  { weight: 1, arbitrary: connect },
)

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'length'; packet: number; bytes: readonly number[] }
  | { kind: 'repeat'; at: number; length: number }

// Remaining-length fields: small, large, maximal (268,435,455) and invalid (a fifth byte).
const lengthBytes: fc.Arbitrary<readonly number[]> = fc.oneof<fc.Arbitrary<readonly number[]>[]>(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }),
  fc.constantFrom(
    [0],
    [0x7f],
    [0xff, 0x7f],
    [0xff, 0xff, 0xff, 0x7f],
    [0xff, 0xff, 0xff, 0xff, 0x7f],
  ),
)
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: position,
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('length' as const), packet: position, bytes: lengthBytes }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
  }),
)

/** One fuzz case: the packets, the mutations, and the bytes they make. */
export interface FuzzCase {
  packets: Packet[]
  mutations: Mutation[]
  bytes: Buffer
}

/** A CONNECT, up to five more packets, up to three mutations of the whole stream. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    packets: fc.tuple(connect, fc.array(afterConnect, { maxLength: 5 })),
    mutations: fc.array(mutation, { maxLength: 3 }),
  })
  .map(({ packets: [first, rest], mutations }) => {
    // the few combinations mqtt-packet refuses to write are left out
    const packets = [first, ...rest].filter(canGenerate)
    const encoded = packets.map((p) => mqttPacket.generate(p))
    return { packets, mutations, bytes: mutate(encoded, mutations) }
  })

function canGenerate(packet: Packet): boolean {
  try {
    mqttPacket.generate(packet)
    return true
  } catch {
    return false
  }
}

function mutate(encoded: Buffer[], mutations: Mutation[]): Buffer {
  // packet starts, for the 'length' mutation
  const starts: number[] = []
  let offset = 0
  for (const buffer of encoded) {
    starts.push(offset)
    offset += buffer.length
  }
  let bytes = Buffer.concat(encoded)
  const index = (at: number) => Math.floor(at * bytes.length)
  for (const m of mutations) {
    switch (m.kind) {
      case 'none':
        break
      case 'flip': {
        const i = index(m.at)
        bytes[i] = (bytes[i] ?? 0) ^ m.mask
        break
      }
      case 'truncate':
        bytes = bytes.subarray(0, index(m.at))
        break
      case 'insert': {
        const i = index(m.at)
        bytes = Buffer.concat([bytes.subarray(0, i), m.bytes, bytes.subarray(i)])
        break
      }
      case 'length': {
        // overwrite the remaining-length field of one packet (its original extent)
        const start = starts[Math.floor(m.packet * starts.length)] ?? 0
        if (start >= bytes.length) break
        let end = start + 1
        while (end < bytes.length && end < start + 5 && ((bytes[end] ?? 0) & 0x80) !== 0) end++
        end = Math.min(end + 1, bytes.length)
        bytes = Buffer.concat([
          bytes.subarray(0, start + 1),
          Buffer.from(m.bytes),
          bytes.subarray(end),
        ])
        break
      }
      case 'repeat': {
        const i = index(m.at)
        const slice = bytes.subarray(i, i + m.length)
        bytes = Buffer.concat([
          bytes.subarray(0, i + slice.length),
          slice,
          bytes.subarray(i + slice.length),
        ])
        break
      }
    }
  }
  return bytes
}
