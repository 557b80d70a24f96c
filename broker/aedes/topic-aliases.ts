/** MQTT Control Packet type of PUBLISH, the fixed header's high nibble [MQTT-2.2.1]. */
const PUBLISH = 3
/** DUP, bit 3 of a PUBLISH's fixed header [MQTT-3.3.1-1]. */
const DUP = 0x08
/** MQTT 5 property identifier of Topic Alias, a Two Byte Integer [MQTT-5: 2.2.2.2]. */
const TOPIC_ALIAS = 0x23
/** The largest Remaining Length a Variable Byte Integer holds [MQTT-1.5.5]. */
const MAX_REMAINING_LENGTH = 268_435_455

// Where in a frame the next byte is.
const HEADER = 0
const LENGTH = 1
const BODY = 2

/**
 * MQTT 5: the Topic Aliases the broker gives the topics of the PUBLISHes it
 * sends one connection, decided on the bytes as they leave (the connection's
 * writer, broker/aedes/writer.ts, hands it every byte): whoever encoded the
 * packet (aedes, the QoS 0 fast path's shared frame, a resumed page), the
 * alias is decided in the order the client reads the packets, and the
 * packet objects the store, the inspector and the metrics see keep their
 * topic. Only ever made for a connection whose CONNECT was MQTT 5 and set a
 * Topic Alias Maximum above 0 [MQTT-3.1.2-27]; one per connection, so a new
 * connection, a resumed session's included, starts with none [MQTT-3.3.2-7].
 *
 * - The first PUBLISH on a topic carries the topic and a new alias, 1 up to
 *   the client's maximum: never 0 [MQTT-3.3.2-8], never above it
 *   [MQTT-3.1.2-26] [MQTT-3.3.2-11]; later ones carry a zero-length topic
 *   and the alias (MQTT 5 §3.3.2.3.4).
 * - Once the client's maximum is reached the first topics keep their
 *   aliases and any other topic goes in full, without one. Reassigning the
 *   least recently used alias would adapt to a changing set of topics, but
 *   a connection cycling through more topics than aliases would then carry
 *   the full topic and 3 more bytes on every PUBLISH, and every PUBLISH
 *   would reorder the list; a mapping that never changes costs one lookup.
 * - A resend (DUP=1) goes in full, without an alias: it repeats what the
 *   session kept, and never depends on this connection's mappings.
 * - A PUBLISH the alias would take over the client's Maximum Packet Size
 *   [MQTT-3.1.2-24] (3 bytes more the first time) goes in full, without one.
 *
 * The broker's PUBLISHes carry no Topic Alias of their own: aedes resolves
 * a publisher's and `dropResolvedTopicAlias` (broker/rules/publish.ts)
 * removes it before routing, so the property is added, never replaced.
 */
export class OutboundTopicAliases {
  readonly #maximum: number
  /** The client's Maximum Packet Size; 0 when it set none. */
  readonly #maximumPacketSize: number
  /** The topic's bytes (as latin1, one char a byte) -> its alias. */
  readonly #aliases = new Map<string, number>()

  // The frame the bytes are in, as broker/aedes/frame-scanner.ts follows it.
  #state = HEADER
  #remaining = 0
  #multiplier = 1
  /** Whether the current frame is a PUBLISH, whose bytes are held until it is whole. */
  #publish = false
  #held: Buffer[] = []

  constructor(maximum: number, maximumPacketSize = 0) {
    this.#maximum = maximum
    this.#maximumPacketSize = maximumPacketSize
  }

  /**
   * Takes the next bytes written to the connection and returns those to
   * send now, in order: other packets' bytes at once, a PUBLISH once whole,
   * with its alias. Chunks may split a frame anywhere (mqtt-packet writes a
   * PUBLISH as several), or hold several frames.
   */
  take(chunk: Buffer): Buffer[] {
    // the common case, one whole PUBLISH at a frame boundary (the QoS 0 fast path's frame)
    if (this.#state === HEADER && chunk.length > 1 && chunk[0] >> 4 === PUBLISH) {
      // a Remaining Length cut short reads past the chunk's end: never equal
      const [remaining, bodyAt] = readVarInt(chunk, 1)
      if (bodyAt + remaining === chunk.length) return [this.#alias(chunk)]
    }
    const out: Buffer[] = []
    let start = 0
    let i = 0
    while (i < chunk.length) {
      if (this.#state === BODY) {
        const step = Math.min(this.#remaining, chunk.length - i)
        i += step
        this.#remaining -= step
        if (this.#remaining === 0) this.#state = HEADER
        if (this.#remaining === 0 && this.#publish) {
          this.#held.push(chunk.subarray(start, i))
          out.push(this.#alias(Buffer.concat(this.#held)))
          this.#held = []
          this.#publish = false
          start = i
        }
        continue
      }
      const byte = chunk[i] as number
      if (this.#state === HEADER) {
        this.#publish = byte >> 4 === PUBLISH
        // what came before the PUBLISH goes now; the PUBLISH waits to be whole
        if (this.#publish && i > start) {
          out.push(chunk.subarray(start, i))
          start = i
        }
        this.#state = LENGTH
        this.#remaining = 0
        this.#multiplier = 1
        i++
        continue
      }
      this.#remaining += (byte & 0x7f) * this.#multiplier
      this.#multiplier *= 128
      i++
      // a zero-length body (PINGRESP) ends the frame; a PUBLISH always has a topic
      if ((byte & 0x80) === 0) this.#state = this.#remaining === 0 ? HEADER : BODY
    }
    if (start < chunk.length) {
      if (this.#publish) this.#held.push(chunk.subarray(start))
      else out.push(chunk.subarray(start))
    }
    return out
  }

  /** The whole PUBLISH `frame` with its topic aliased, or as it is. */
  #alias(frame: Buffer): Buffer {
    const header = frame[0] as number
    if (header & DUP) return frame
    const [, topicAt] = readVarInt(frame, 1)
    const topicLength = frame.readUInt16BE(topicAt)
    if (topicLength === 0) return frame
    const topicStart = topicAt + 2
    const topicEnd = topicStart + topicLength
    const key = frame.toString('latin1', topicStart, topicEnd)
    const known = this.#aliases.get(key)
    if (known === undefined && this.#aliases.size >= this.#maximum) return frame

    // a packet id follows the topic at QoS 1 and 2 [MQTT-3.3.2.2]
    const idEnd = topicEnd + ((header >> 1) & 3 ? 2 : 0)
    const [propertiesLength, propertiesAt] = readVarInt(frame, idEnd)
    const sentTopic = known === undefined ? topicLength : 0
    const newPropertiesLength = propertiesLength + 3
    const remaining =
      2 +
      sentTopic +
      (idEnd - topicEnd) +
      varIntSize(newPropertiesLength) +
      newPropertiesLength +
      (frame.length - propertiesAt - propertiesLength)
    const total = 1 + varIntSize(remaining) + remaining
    if (remaining > MAX_REMAINING_LENGTH) return frame
    if (this.#maximumPacketSize > 0 && total > this.#maximumPacketSize) return frame

    const alias = known ?? this.#aliases.size + 1
    if (known === undefined) this.#aliases.set(key, alias)
    const out = Buffer.allocUnsafe(total)
    out[0] = header
    let at = writeVarInt(out, 1, remaining)
    at = out.writeUInt16BE(sentTopic, at)
    if (sentTopic > 0) at += frame.copy(out, at, topicStart, topicEnd)
    at += frame.copy(out, at, topicEnd, idEnd)
    at = writeVarInt(out, at, newPropertiesLength)
    out[at++] = TOPIC_ALIAS
    at = out.writeUInt16BE(alias, at)
    frame.copy(out, at, propertiesAt)
    return out
  }
}

/**
 * A Variable Byte Integer at `at` [MQTT-1.5.5]: its value and where the
 * bytes after it start. Past the buffer's end a byte reads as 0 and ends it.
 */
function readVarInt(buffer: Buffer, at: number): [number, number] {
  let value = 0
  let multiplier = 1
  let i = at
  for (;;) {
    const byte = buffer[i++] as number
    value += (byte & 0x7f) * multiplier
    multiplier *= 128
    if ((byte & 0x80) === 0) return [value, i]
  }
}

function varIntSize(value: number): number {
  if (value < 128) return 1
  if (value < 16_384) return 2
  if (value < 2_097_152) return 3
  return 4
}

/** Writes `value` as a Variable Byte Integer at `at`; returns where the next byte goes. */
function writeVarInt(buffer: Buffer, at: number, value: number): number {
  let left = value
  let i = at
  do {
    let byte = left % 128
    left = Math.floor(left / 128)
    if (left > 0) byte |= 0x80
    buffer[i++] = byte
  } while (left > 0)
  return i
}
