import { connect as netConnect, type Socket } from 'node:net'
import mqttPacket, { type IConnackPacket, type Packet } from 'mqtt-packet'

// No vitest import: the kill -9 harness also runs from `bench/crash-loss.ts`.

export interface PeerOptions {
  clientId: string
  clean: boolean
  will?: { topic: string; payload: string; qos: 0 | 1 | 2; retain?: boolean }
}

const open = new Set<Peer>()

/** Drops every connection still open; the test (or script) calls it when it ends. */
export async function destroyAllPeers(): Promise<void> {
  await Promise.all([...open].map((peer) => peer.destroy()))
}

/**
 * A packet-level MQTT 3.1.1 connection over TCP: every packet after CONNACK
 * goes to `onPacket` in order, and nothing is acknowledged unless the caller
 * does it.
 */
export class Peer {
  readonly #socket: Socket
  readonly closed: Promise<void>

  private constructor(socket: Socket) {
    this.#socket = socket
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    open.add(this)
    void this.closed.then(() => open.delete(this))
  }

  static async connect(
    url: string,
    options: PeerOptions,
    onPacket: (packet: Packet, peer: Peer) => void,
  ): Promise<{ peer: Peer; connack: IConnackPacket }> {
    const u = new URL(url)
    const socket = netConnect(Number(u.port), u.hostname)
    socket.setNoDelay(true)
    const peer = new Peer(socket)
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

  get isClosed(): boolean {
    return this.#socket.destroyed
  }

  send(packet: Packet): void {
    if (!this.#socket.destroyed) this.#socket.write(mqttPacket.generate(packet))
  }

  async disconnect(): Promise<void> {
    this.send({ cmd: 'disconnect' })
    this.#socket.end()
    await this.closed
  }

  destroy(): Promise<void> {
    this.#socket.destroy()
    return this.closed
  }
}

/**
 * Resolves once `done()` holds (checked on each `poke`). `within` bounds
 * the wait: strict callers fail with `why()`, lenient ones (`settle`) stop
 * once nothing happened for `quietMs` and let the caller count what is missing.
 */
export class Condition {
  readonly #done: () => boolean
  readonly #waiters: (() => void)[] = []
  #lastPoke = Date.now()

  constructor(done: () => boolean) {
    this.#done = done
  }

  poke(): void {
    this.#lastPoke = Date.now()
    if (this.#done()) for (const wake of this.#waiters.splice(0)) wake()
  }

  /** Fails with `why()` unless done within `ms`. */
  within(ms: number, why: () => string): Promise<void> {
    return this.#wait(ms, 0).then((met) => {
      if (!met) throw new Error(why())
    })
  }

  /** True once done; false when nothing poked it for `quietMs` or `ms` passed. */
  settle(ms: number, quietMs: number): Promise<boolean> {
    return this.#wait(ms, quietMs)
  }

  #wait(ms: number, quietMs: number): Promise<boolean> {
    if (this.#done()) return Promise.resolve(true)
    this.#lastPoke = Date.now()
    return new Promise((resolve) => {
      const deadline = Date.now() + ms
      // a bound, never a pause: it only decides when to give up
      const timer = setInterval(() => {
        const now = Date.now()
        if (now >= deadline || (quietMs > 0 && now - this.#lastPoke >= quietMs)) finish(false)
      }, 50)
      const finish = (met: boolean) => {
        clearInterval(timer)
        this.#waiters.splice(this.#waiters.indexOf(wake) >>> 0, 1)
        resolve(met)
      }
      const wake = () => finish(true)
      this.#waiters.push(wake)
    })
  }
}
