import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import mqttPacket, { type IConnackPacket, type Packet } from 'mqtt-packet'
import { onTestFinished } from 'vitest'
import { createWebSocketStream, WebSocket } from 'ws'

const WAIT_MS = 5000

/**
 * A packet-level MQTT client for rules that mqtt.js hides (DUP, packet ids,
 * session-present, return codes, not acknowledging). Tests await packets;
 * nothing sleeps. Closed automatically when the test ends.
 */
export class RawClient {
  readonly #stream: Duplex
  /** The protocol version packets are parsed and generated in (5: MQTT 5's reason codes and properties). */
  readonly #version: 4 | 5
  readonly #received: Packet[] = []
  #waiters: { match: (p: Packet) => boolean; resolve: (p: Packet) => void }[] = []
  #closeWaiters: (() => void)[] = []
  closed = false

  private constructor(stream: Duplex, onClose: (listener: () => void) => void, version: 4 | 5 = 4) {
    this.#stream = stream
    this.#version = version
    const parser = mqttPacket.parser({ protocolVersion: version })
    parser.on('packet', (packet: Packet) => this.#deliver(packet))
    stream.on('data', (chunk: Buffer) => parser.parse(chunk))
    stream.on('error', () => {})
    onClose(() => {
      this.closed = true
      for (const resolve of this.#closeWaiters) resolve()
      this.#closeWaiters = []
    })
  }

  /**
   * Opens a connection to `mqtt://host:port` or `ws://host:port/path`; with
   * `protocolVersion: 5` it reads and writes MQTT 5 packets.
   */
  static async open(url: string, options: { protocolVersion?: 4 | 5 } = {}): Promise<RawClient> {
    const version = options.protocolVersion ?? 4
    const u = new URL(url)
    if (u.protocol === 'mqtt:') {
      const socket = netConnect(Number(u.port), u.hostname)
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      })
      const client = new RawClient(socket, (listener) => socket.once('close', listener), version)
      onTestFinished(() => client.destroy())
      return client
    }
    const ws = new WebSocket(url, 'mqtt')
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    // the WebSocket, not the stream over it, says when the connection is gone
    const client = new RawClient(
      createWebSocketStream(ws),
      (listener) => ws.once('close', listener),
      version,
    )
    onTestFinished(() => client.destroy())
    return client
  }

  /** Opens a connection and sends CONNECT; resolves with the CONNACK. */
  static async connect(
    url: string,
    options: {
      clientId: string
      clean?: boolean
      keepalive?: number
      will?: { topic: string; payload: Buffer | string; qos?: 0 | 1 | 2; retain?: boolean }
      protocolVersion?: 3 | 4
      username?: string
      password?: string
    },
  ): Promise<{ client: RawClient; connack: IConnackPacket }> {
    const client = await RawClient.open(url)
    const connack = await client.sendConnect(options)
    return { client, connack }
  }

  async sendConnect(options: Parameters<typeof RawClient.connect>[1]): Promise<IConnackPacket> {
    const version = options.protocolVersion ?? 4
    this.send({
      cmd: 'connect',
      protocolId: version === 4 ? 'MQTT' : 'MQIsdp',
      protocolVersion: version,
      clientId: options.clientId,
      clean: options.clean ?? true,
      keepalive: options.keepalive ?? 0,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: Buffer.from(options.password) }),
      will: options.will
        ? {
            topic: options.will.topic,
            payload: Buffer.from(options.will.payload),
            qos: options.will.qos ?? 0,
            retain: options.will.retain ?? false,
          }
        : undefined,
    } as Packet)
    return (await this.next('connack')) as IConnackPacket
  }

  send(packet: Packet): void {
    this.#stream.write(mqttPacket.generate(packet, { protocolVersion: this.#version }))
  }

  writeRaw(bytes: Buffer): void {
    this.#stream.write(bytes)
  }

  /** The next packet (of a kind, if given) not yet taken; rejects after `waitMs`. */
  next<C extends Packet['cmd']>(cmd?: C, waitMs = WAIT_MS): Promise<Extract<Packet, { cmd: C }>> {
    const match = (p: Packet) => cmd === undefined || p.cmd === cmd
    const index = this.#received.findIndex(match)
    if (index >= 0) {
      const [packet] = this.#received.splice(index, 1)
      return Promise.resolve(packet as Extract<Packet, { cmd: C }>)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        reject(new Error(`no ${cmd ?? 'packet'} within ${waitMs} ms`))
      }, waitMs)
      const waiter = {
        match,
        resolve: (p: Packet) => {
          clearTimeout(timer)
          resolve(p as Extract<Packet, { cmd: C }>)
        },
      }
      this.#waiters.push(waiter)
    })
  }

  /** Packets received and not taken by `next`, e.g. to assert that nothing arrived. */
  get unread(): readonly Packet[] {
    return this.#received
  }

  async subscribe(topic: string, qos: 0 | 1 | 2, messageId = 1): Promise<number[]> {
    this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] } as Packet)
    const suback = await this.next('suback')
    return suback.granted as number[]
  }

  /** Round-trips a PINGREQ: every packet sent before it has been handled. */
  async ping(waitMs = WAIT_MS): Promise<void> {
    this.send({ cmd: 'pingreq' })
    await this.next('pingresp', waitMs)
  }

  disconnect(): Promise<void> {
    this.send({ cmd: 'disconnect' })
    return this.waitClosed()
  }

  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not closed within ${WAIT_MS} ms`)), WAIT_MS)
      this.#closeWaiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Drops the connection without DISCONNECT, like a network failure. */
  destroy(): Promise<void> {
    this.#stream.destroy()
    return this.waitClosed()
  }

  #deliver(packet: Packet): void {
    const waiter = this.#waiters.find((w) => w.match(packet))
    if (waiter) {
      this.#waiters = this.#waiters.filter((w) => w !== waiter)
      waiter.resolve(packet)
      return
    }
    this.#received.push(packet)
  }
}
