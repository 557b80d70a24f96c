import type { QoS, SentCounts } from '../metrics/traffic.ts'

/** MQTT Control Packet type of PUBLISH, the fixed header's high nibble [MQTT-2.2.1]. */
const PUBLISH = 3

// Where in a frame the next byte is.
const HEADER = 0
const LENGTH = 1
const BODY = 2

/**
 * Follows the MQTT frames of the bytes a connection sends and counts them
 * into {@link SentCounts}: each fixed header byte is a packet, and a PUBLISH
 * one carries its QoS in bits 2-1 [MQTT-2.2.2], so the count holds whoever
 * wrote the packet (aedes, the QoS 0 fast path, a resumed page). Only the
 * fixed header and its Remaining Length (1-4 bytes, 7 bits each, least
 * significant first [MQTT-2.2.3]) are read; bodies are skipped by length.
 * Chunks may split a frame anywhere, even inside the Remaining Length.
 */
export class FrameScanner {
  readonly #counts: SentCounts
  #state = HEADER
  /** While LENGTH: the Remaining Length so far; while BODY: body bytes still to come. */
  #remaining = 0
  #multiplier = 1

  constructor(counts: SentCounts) {
    this.#counts = counts
  }

  /** Counts the packets that start in `chunk` and the chunk's bytes. */
  scan(chunk: Uint8Array): void {
    const counts = this.#counts
    const end = chunk.length
    counts.bytes += end
    let i = 0
    while (i < end) {
      if (this.#state === BODY) {
        const left = end - i
        if (left < this.#remaining) {
          this.#remaining -= left
          return
        }
        i += this.#remaining
        this.#state = HEADER
        continue
      }
      const byte = chunk[i++] as number
      if (this.#state === HEADER) {
        counts.packets++
        if (byte >> 4 === PUBLISH) {
          const qos = (byte >> 1) & 3
          // QoS 3 is malformed [MQTT-3.3.1-4]; mqtt-packet never writes it
          if (qos !== 3) counts.publishes[qos as QoS]++
        }
        this.#state = LENGTH
        this.#remaining = 0
        this.#multiplier = 1
        continue
      }
      this.#remaining += (byte & 0x7f) * this.#multiplier
      this.#multiplier *= 128
      // the continuation bit ends the Remaining Length; a zero-length body (PINGRESP) ends the frame
      if ((byte & 0x80) === 0) this.#state = this.#remaining === 0 ? HEADER : BODY
    }
  }

  /**
   * Counts `length` bytes that lie inside the current frame's body without
   * reading them (mqtt-packet writes topics as strings; encoding one just to
   * skip it would cost an allocation). False, counting nothing, when they do
   * not: the caller then scans them as bytes.
   */
  skip(length: number): boolean {
    if (this.#state !== BODY || length > this.#remaining) return false
    this.#counts.bytes += length
    this.#remaining -= length
    if (this.#remaining === 0) this.#state = HEADER
    return true
  }
}
