/**
 * Follows MQTT frame boundaries in a byte stream by their fixed headers
 * (type byte, 1-4 byte Remaining Length [MQTT-2.2.3]) so that a packet over
 * the limit is refused from its header, before its body is buffered:
 * mqtt-packet's 3.1.1 parser has no size limit of its own.
 */
export class FrameSizeGuard {
  readonly #max: number
  /** Body bytes of the current frame still to come. */
  #skip = 0
  /** Reading a Remaining Length: its value and bytes so far. */
  #length: { value: number; multiplier: number; bytes: number } | null = null
  #refused = false

  constructor(maxPacketSize: number) {
    this.#max = maxPacketSize
  }

  /** Feeds the next chunk; false as soon as a frame is over the limit or malformed. */
  accept(chunk: Uint8Array): boolean {
    if (this.#refused) return false
    this.#refused = !this.#follow(chunk)
    return !this.#refused
  }

  #follow(chunk: Uint8Array): boolean {
    let i = 0
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i)
        this.#skip -= n
        i += n
        continue
      }
      const length = this.#length
      if (length === null) {
        this.#length = { value: 0, multiplier: 1, bytes: 0 }
        i++
        continue
      }
      const byte = chunk[i++] as number
      length.value += (byte & 0x7f) * length.multiplier
      length.multiplier *= 128
      length.bytes++
      if (length.bytes > 4) return false
      if ((byte & 0x80) === 0) {
        if (1 + length.bytes + length.value > this.#max) return false
        this.#skip = length.value
        this.#length = null
      }
    }
    return true
  }
}
