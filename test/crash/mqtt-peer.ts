import { connect as netConnect, type Socket } from 'node:net'
import mqttPacket, { type IConnackPacket, type Packet } from 'mqtt-packet'
import { onTestFinished } from 'vitest'

export interface PeerOptions {
  clientId: string
  clean: boolean
  will?: { topic: string; payload: string; qos: 0 | 1 | 2; retain?: boolean }
}

/**
 * A packet-level MQTT 3.1.1 connection over TCP for the crash tests: every
 * packet after CONNACK goes to `onPacket` as it is parsed, in order, and
 * nothing is acknowledged unless the test does it. Closed when the test ends.
 */
export class MqttPeer {
  readonly #socket: Socket
  readonly closed: Promise<void>

  private constructor(socket: Socket) {
    this.#socket = socket
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** Connects; packets that follow the CONNACK (even in its chunk) go to `onPacket`. */
  static async connect(
    url: string,
    options: PeerOptions,
    onPacket: (packet: Packet, peer: MqttPeer) => void = () => {},
  ): Promise<{ peer: MqttPeer; connack: IConnackPacket }> {
    const u = new URL(url)
    const socket = netConnect(Number(u.port), u.hostname)
    socket.setNoDelay(true)
    const peer = new MqttPeer(socket)
    onTestFinished(() => peer.destroy())
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.on('error', () => {})
    const connack = new Promise<IConnackPacket>((resolve, reject) => {
      let connected = false
      const parser = mqttPacket.parser({ protocolVersion: 4 })
      parser.on('packet', (packet: Packet) => {
        if (connected) onPacket(packet, peer)
        else if (packet.cmd === 'connack') {
          connected = true
          resolve(packet)
        } else reject(new Error(`${packet.cmd} before CONNACK`))
      })
      parser.on('error', reject)
      socket.on('data', (chunk: Buffer) => parser.parse(chunk))
      socket.once('close', () => {
        if (!connected) reject(new Error('closed before CONNACK'))
      })
    })
    peer.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: options.clientId,
      clean: options.clean,
      keepalive: 0,
      will: options.will && {
        topic: options.will.topic,
        payload: Buffer.from(options.will.payload),
        qos: options.will.qos,
        retain: options.will.retain ?? false,
      },
    } as Packet)
    return { peer, connack: await connack }
  }

  send(packet: Packet): void {
    if (!this.#socket.destroyed) this.#socket.write(mqttPacket.generate(packet))
  }

  /** DISCONNECT, then wait for the broker to close the connection. */
  async disconnect(): Promise<void> {
    this.send({ cmd: 'disconnect' })
    this.#socket.end()
    await this.closed
  }

  /** Drops the connection without DISCONNECT. */
  destroy(): Promise<void> {
    this.#socket.destroy()
    return this.closed
  }
}

export { seededRandom } from './harness/random.ts'

/** Resolves when `done()` turns true, checked after each `poke`; rejects after `ms` saying why. */
export class Condition {
  readonly #done: () => boolean
  #resolve: () => void = () => {}
  readonly promise: Promise<void>
  #reject: (err: Error) => void = () => {}

  constructor(done: () => boolean) {
    this.#done = done
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.poke()
  }

  poke(): void {
    if (this.#done()) this.#resolve()
  }

  /** The promise, failing with `why()` if not met within `ms`: a bound, never a pause. */
  within(ms: number, why: () => string): Promise<void> {
    const timer = setTimeout(() => this.#reject(new Error(why())), ms)
    return this.promise.finally(() => clearTimeout(timer))
  }
}
