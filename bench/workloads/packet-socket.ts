import net from 'node:net'
import mqtt, { type Packet } from 'mqtt-packet'
import type { Target } from '../types.ts'
import { type AckType, FrameReader, type FrameSink } from './frame-reader.ts'

/**
 * What a connection hands its packets to; PUBLISH and the acknowledgements skip object decoding
 * (hot path). A QoS 2 acknowledgement without its own handler goes to `control`, as a packet.
 */
export interface PacketHandler {
  publish(qos: number, packetId: number, payload: Buffer): void
  puback(packetId: number): void
  pubrec?(packetId: number): void
  pubrel?(packetId: number): void
  pubcomp?(packetId: number): void
  /** Every other packet type (CONNACK, SUBACK, …), decoded by mqtt-packet. */
  control(packet: Packet): void
}

/**
 * One MQTT 3.1.1 client connection over a raw TCP socket, without the `mqtt` client's per-packet
 * overhead. Packets from one TCP chunk are handed to the handler synchronously; whatever the
 * handler queued (acks, next publishes) then goes out in a single write.
 */
export class PacketSocket {
  readonly #socket: net.Socket
  readonly #reader = new FrameReader()
  readonly #controlParser = mqtt.parser({ protocolVersion: 4 })
  readonly #sink: FrameSink
  #handler: PacketHandler
  #pending: Buffer[] = []
  #ending = false
  #rejectFailed: (err: Error) => void = () => {}
  /** Rejects if the connection breaks before {@link end}; never resolves. */
  readonly failed: Promise<never>

  private constructor(
    socket: net.Socket,
    readonly label: string,
  ) {
    this.#socket = socket
    this.failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject
    })
    // Whoever waits on this socket races `failed`; an unwatched failure must not crash the process.
    this.failed.catch(() => {})
    const unexpected = (what: string) => () => this.#fail(new Error(`unexpected ${what}`))
    this.#handler = {
      publish: unexpected('publish'),
      puback: unexpected('puback'),
      control: (packet) => this.#fail(new Error(`unexpected ${packet.cmd}`)),
    }
    // Delegates through #handler so that onPacket() can swap it between chunks.
    this.#sink = {
      publish: (qos, packetId, payload) => this.#handler.publish(qos, packetId, payload),
      ack: (type, packetId) => this.#ack(type, packetId),
      other: (frame) => this.#controlParser.parse(frame),
    }
    this.#controlParser.on('packet', (packet: Packet) => this.#handler.control(packet))
    this.#controlParser.on('error', (err: Error) => this.#fail(err))
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk, this.#sink)
      } catch (err) {
        this.#fail(err instanceof Error ? err : new Error(String(err)))
        return
      }
      this.flush()
    })
    socket.on('error', (err) => this.#fail(err))
    socket.on('close', () => this.#fail(new Error('connection closed by the broker')))
  }

  static connect(target: Target, label: string): Promise<PacketSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(target)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new PacketSocket(socket, label))
      })
    })
  }

  /** Replaces the handler for every packet that arrives from now on. */
  onPacket(handler: PacketHandler): void {
    this.#handler = handler
  }

  /** Queues bytes for the next {@link flush}; the socket flushes after each chunk it reads. */
  queue(bytes: Buffer): void {
    this.#pending.push(bytes)
  }

  flush(): void {
    const pending = this.#pending
    if (pending.length === 0) return
    this.#pending = []
    this.#socket.write(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending))
  }

  send(packet: Packet): void {
    this.queue(mqtt.generate(packet))
    this.flush()
  }

  /** Resolves with the next packet, which must be a `cmd`. */
  next<C extends Packet['cmd']>(cmd: C): Promise<Extract<Packet, { cmd: C }>> {
    return new Promise((resolve, reject) => {
      const expected = (got: string) => () => {
        reject(new Error(`${this.label}: expected ${cmd}, got ${got}`))
      }
      this.onPacket({
        publish: expected('publish'),
        puback: expected('puback'),
        control: (packet) => {
          if (packet.cmd === cmd) resolve(packet as Extract<Packet, { cmd: C }>)
          else expected(packet.cmd)()
        },
      })
      this.failed.catch(reject)
    })
  }

  /** Sends DISCONNECT [MQTT-3.14.4-1] and waits for the broker to close the connection. */
  end(): Promise<void> {
    this.#ending = true
    if (this.#socket.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve())
      this.send({ cmd: 'disconnect' })
      this.#socket.end()
    })
  }

  /** Closes without DISCONNECT, for cleanup after a failure. */
  destroy(): void {
    this.#ending = true
    this.#socket.destroy()
  }

  #ack(type: AckType, packetId: number): void {
    const handler = this.#handler
    const own = type === 'puback' ? handler.puback : handler[type]
    if (own !== undefined) own.call(handler, packetId)
    else handler.control({ cmd: type, messageId: packetId } as Packet)
  }

  #fail(err: Error): void {
    if (this.#ending) return
    this.#ending = true
    this.#socket.destroy()
    this.#rejectFailed(new Error(`${this.label}: ${err.message}`))
  }
}
