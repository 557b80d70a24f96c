import { Duplex } from 'node:stream'
import mqtt from 'mqtt-packet'
import type { SentCounts } from '../metrics/traffic.ts'
import { FrameScanner } from './frame-scanner.ts'
import { OutboundTopicAliases } from './topic-aliases.ts'

/** What a connection runs over: a `net.Socket`, or the stream of broker/listeners/ws-stream.ts. */
export type Transport = Duplex & { remoteAddress?: string; remotePort?: number }

type WriteCallback = (error?: Error | null) => void

/**
 * The encoding a packet is written in: 4 for MQTT 3.1 and 3.1.1 (a 3.1
 * PUBLISH, PUBREL or PUBACK is encoded as 3.1.1's), 5 for MQTT 5 (reason
 * codes and properties). A v5 client reads a 3.1.1 PUBLISH as malformed.
 */
export type WireVersion = 4 | 5

const ENCODING: Record<WireVersion, { protocolVersion: WireVersion }> = {
  4: Object.freeze({ protocolVersion: 4 }),
  5: Object.freeze({ protocolVersion: 5 }),
}

/**
 * The one writer of a connection: aedes gets it as the connection
 * (`aedes.handle(writer)`), and SessionLab's own writers (the QoS 0 fast
 * path, resumed pages) write through it too, so every byte sent passes here.
 *
 * - Coalesces: the transport is corked from the first write of an event-loop
 *   turn until the turn's check phase (setImmediate), so a turn's packets
 *   leave in one `writev`. aedes writes each packet from its own callback
 *   (mqtt-packet corks only until the next tick); a syscall per PUBLISH and
 *   per PUBACK was the biggest single cost of live QoS 1 traffic.
 * - Counts every packet it sends, and PUBLISHes by QoS, from the bytes
 *   themselves ({@link FrameScanner}).
 * - Holds nothing itself, so backpressure is the transport's: `write()`
 *   hands each chunk on at once and answers as the transport does (false
 *   once its buffer is full), and the transport's 'drain' is the writer's.
 * - MQTT 5: gives the topics of the PUBLISHes it sends Topic Aliases, for a
 *   client that accepts them ({@link OutboundTopicAliases}), whoever wrote them.
 * - Reads: the transport's bytes, its end, errors and close pass through, so
 *   aedes sees what it would see on the transport itself; the bytes are
 *   counted (`bytesReceived`) as they pass.
 */
export class ConnectionWriter extends Duplex {
  readonly #transport: Transport
  readonly #counts: SentCounts
  readonly #scanner: FrameScanner
  /** The transport is corked until this turn's check phase. */
  #held = false
  /** Set for MQTT 3.1: the CONNACK's first variable header byte goes out as 0. */
  #connackFlagsReserved = false
  /** Bytes written so far, counted only while the CONNACK may still be going out. */
  #written = 0
  /** MQTT 5: the Topic Aliases given to the PUBLISHes sent, for a client that accepts them. */
  #aliases: OutboundTopicAliases | undefined
  /** Callbacks of bytes the aliases hold until their PUBLISH is whole. */
  #heldCallbacks: WriteCallback[] = []

  constructor(transport: Transport, counts: SentCounts) {
    super({
      // strings (mqtt-packet writes topics as strings) go to the transport as they are
      decodeStrings: false,
      // the transport's buffer is the one that fills; reported as the writer's
      writableHighWaterMark: transport.writableHighWaterMark,
    })
    this.#transport = transport
    this.#counts = counts
    this.#scanner = new FrameScanner(counts)
    transport.on('data', this.#onData)
    transport.on('end', this.#onEnd)
    transport.on('error', this.#onError)
    transport.on('close', this.#onClose)
    transport.on('drain', this.#onDrain)
  }

  /** The peer's address, for the inspector; undefined over WebSocket (see the request). */
  get remoteAddress(): string | undefined {
    return this.#transport.remoteAddress
  }

  get remotePort(): number | undefined {
    return this.#transport.remotePort
  }

  /**
   * Writes one MQTT packet encoded for the connection's protocol version
   * (`wireVersionOf` in connection.ts); false when the caller should wait for 'drain'.
   */
  writePacket(packet: mqtt.Packet, version: WireVersion): boolean {
    return mqtt.writeToStream(packet, this, ENCODING[version])
  }

  /**
   * Hands the chunk to the transport at once, held there until the turn's
   * check phase, and answers as the transport does. Not buffered by this
   * stream first: an entry here and another in the transport for every
   * chunk made a 100-subscriber fan-out spend a third more time collecting
   * garbage. After end() or destroy() the stream's own write() answers, with
   * its errors.
   */
  override write(
    chunk: Buffer | string,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    if (this.writableEnded || this.destroyed) {
      return super.write(chunk, encoding as BufferEncoding, callback)
    }
    if (typeof encoding === 'function') return this.#send(chunk, 'utf8', encoding)
    return this.#send(chunk, encoding ?? 'utf8', callback)
  }

  /**
   * Does nothing: every write is held until the turn's check phase anyway
   * (mqtt-packet corks its stream around each packet).
   */
  override cork(): void {}

  override uncork(): void {}

  override _read(): void {
    if (this.#transport.isPaused()) this.#transport.resume()
  }

  /** The last chunk of `end(chunk)`, which does not pass through write(). */
  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: WriteCallback): void {
    this.#send(chunk, encoding, callback)
  }

  /**
   * MQTT 3.1 has no session-present flag: the byte after a CONNACK's length
   * is reserved and 0 (MQTT 3.1 §3.2). aedes writes the 3.1.1 flag on every
   * protocol level; this writer clears it. Called before the CONNACK, the
   * first packet the broker writes [MQTT-3.2.0-1].
   */
  reserveConnackFlags(): void {
    this.#connackFlagsReserved = true
  }

  /**
   * MQTT 5: from now on the PUBLISHes written get Topic Aliases, up to the
   * client's Topic Alias Maximum ({@link OutboundTopicAliases}). Call before
   * the first PUBLISH. A connection without them pays one field check a write.
   */
  assignTopicAliases(maximum: number, maximumPacketSize?: number): void {
    this.#aliases = new OutboundTopicAliases(maximum, maximumPacketSize)
  }

  #clearConnackFlags(chunk: Buffer | string): Buffer | string {
    if (typeof chunk === 'string') return chunk
    // the fixed header byte, the Remaining Length 2, then the flags: offset 2
    const at = 2 - this.#written
    this.#written += chunk.length
    if (this.#written > 2) this.#connackFlagsReserved = false
    if (at < 0 || at >= chunk.length || chunk[at] === 0) return chunk
    // mqtt-packet writes a shared constant buffer for the flag: change a copy
    const copy = Buffer.from(chunk)
    copy[at] = 0
    return copy
  }

  #send(chunk: Buffer | string, encoding: BufferEncoding, callback?: WriteCallback): boolean {
    if (this.#connackFlagsReserved) chunk = this.#clearConnackFlags(chunk)
    if (this.#aliases !== undefined)
      return this.#sendAliased(this.#aliases, chunk, encoding, callback)
    this.#hold()
    this.#count(chunk, encoding)
    return this.#transport.write(chunk, encoding, callback)
  }

  /**
   * Sends what the aliases give back for `chunk`: the bytes of a PUBLISH
   * wait until it is whole (mqtt-packet writes one as several chunks, in
   * one call), so its callbacks are called with the last of them.
   */
  #sendAliased(
    aliases: OutboundTopicAliases,
    chunk: Buffer | string,
    encoding: BufferEncoding,
    callback?: WriteCallback,
  ): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk
    const out = aliases.take(bytes)
    if (callback) this.#heldCallbacks.push(callback)
    if (out.length === 0) return !this.#transport.writableNeedDrain
    this.#hold()
    let room = true
    for (let i = 0; i < out.length; i++) {
      const piece = out[i] as Buffer
      this.#scanner.scan(piece)
      room = this.#transport.write(
        piece,
        i === out.length - 1 ? this.#takeHeldCallbacks() : undefined,
      )
    }
    return room
  }

  #takeHeldCallbacks(): WriteCallback | undefined {
    const callbacks = this.#heldCallbacks
    if (callbacks.length === 0) return undefined
    this.#heldCallbacks = []
    return (error) => {
      for (const callback of callbacks) callback(error)
    }
  }

  override _final(callback: WriteCallback): void {
    this.#release()
    // a net.Socket ends its own side when the peer's FIN arrives
    if (this.#transport.writableEnded) {
      callback()
      return
    }
    // finished once the transport has handed everything on, so that
    // destroying after it cannot cut what is still queued
    this.#transport.end(callback)
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    // aedes destroys the connection right after its last packet, e.g. a
    // CONNACK refusing the connection [MQTT-3.2.2-5]: a raw socket would
    // have sent it, so what this turn holds is sent before the transport goes.
    this.#release()
    this.#transport.destroy()
    callback(error)
  }

  #count(chunk: Buffer | string, encoding: BufferEncoding): void {
    if (typeof chunk !== 'string') this.#scanner.scan(chunk)
    else if (!this.#scanner.skip(Buffer.byteLength(chunk, encoding))) {
      this.#scanner.scan(Buffer.from(chunk, encoding))
    }
  }

  #hold(): void {
    if (this.#held) return
    this.#held = true
    this.#transport.cork()
    setImmediate(this.#release)
  }

  // Bound once per connection, not per write: these run per turn or per chunk.
  readonly #release = (): void => {
    if (!this.#held) return
    this.#held = false
    this.#transport.uncork()
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#counts.bytesReceived += chunk.length
    if (!this.push(chunk)) this.#transport.pause()
  }

  readonly #onEnd = (): void => {
    this.push(null)
  }

  readonly #onError = (error: Error): void => {
    this.destroy(error)
  }

  readonly #onClose = (): void => {
    if (!this.destroyed) this.destroy()
  }

  readonly #onDrain = (): void => {
    this.emit('drain')
  }
}

/** The writer of an aedes connection; undefined for a connection not made by our listeners. */
export function writerOf(client: { conn?: unknown }): ConnectionWriter | undefined {
  const conn = client.conn
  return conn instanceof ConnectionWriter ? conn : undefined
}
